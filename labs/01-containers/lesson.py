# %% [markdown] key="title"
# # Containers and images: build it, tag it, run it

# %% [markdown] key="objectives"
# Kubernetes runs containers, and every container starts from an image. In this lab you build an image of
# your own, give it a proper version, put it inside your cluster and run it in a Pod, without any registry on
# the internet. By the end you will be able to:
#
# - explain how a container differs from a virtual machine;
# - read an image reference: registry, name and tag, and why `latest` is a trap;
# - write a small Dockerfile and build it into your cluster (minikube, or kubelab's embedded cluster);
# - choose an `imagePullPolicy`, and explain what `Always`, `IfNotPresent` and `Never` do.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab and creates its namespace; the second makes that namespace kubectl's default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("01-containers")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-vm"
# ## Containers are not small virtual machines
#
# A **virtual machine** imitates a whole computer: it boots its own operating system, with its own kernel, on
# top of virtual hardware. That is strong isolation, but every VM carries a full system, takes a while to
# start, and reserves its memory up front.

# %% [markdown] key="concept-container"
# A **container** is an ordinary process of the host, started with blinkers on: the kernel shows it its own
# files, its own network and its own list of processes, and limits how much CPU and memory it may use. There
# is no second kernel: every container on a node shares the node's kernel. That is why a container starts in
# a fraction of a second, and why a node can run dozens of them. It is also why a container knows nothing of
# the machine around it, and why something has to organise many of them across many machines: that is the
# orchestrator's job, and Kubernetes is one.

# %% [markdown] key="concept-image"
# ## Images
#
# The files a container sees come from an **image**: a read-only, layered snapshot of a small file system
# (a program, its libraries, its settings), plus the command to start. The same image gives the same
# container on your laptop, on minikube, or on a server in a data centre. Images are built from a recipe, the
# **Dockerfile**, and are never changed afterwards: to change something, you build a new image.

# %% [markdown] key="concept-reference"
# An image reference has up to three parts: `registry/name:tag`. In `docker.io/library/nginx:1.30`, the
# registry is Docker Hub, the name is `nginx`, and the tag is `1.30`. When the registry is left out, it is
# Docker Hub; when the **tag** is left out, it is `latest`. A tag is only a label on one build: `latest` is
# not "the newest", it is whatever was last pushed with that name, and it moves. Pin a version instead.

# %% [markdown] key="concept-pull-policy"
# ## The pull policy
#
# Before a kubelet starts a container, it needs the image on its node. The container's `imagePullPolicy`
# says when to ask a registry for it:
#
# - `Always`: ask the registry every time a container starts (the default for the tag `latest`, or no tag);
# - `IfNotPresent`: use the node's copy if there is one, else pull it (the default for any other tag);
# - `Never`: never pull; the image must already be on the node, or the container fails with
#   `ErrImageNeverPull`.
#
# An image you build yourself exists on no public registry, so it needs `IfNotPresent` or `Never`.

# %% [markdown] key="step-inspect-nginx"
# ## Images in the cluster
#
# Start with a Pod from a public image, and look at what the node reports. `spec` holds the image you asked
# for and the pull policy the API server filled in for you; `status` holds the image the node really ran and,
# on a cluster whose containers really run, its `imageID`: the digest that names that exact build.

# %% key="run-public"
!kubectl run containers-public --image=nginx:1.30
!kubectl wait --for=condition=Ready pod/containers-public --timeout=60s

# %% key="public-image"
%%bash
kubectl get pod containers-public -o jsonpath='{.spec.containers[0].image}{"\n"}{.spec.containers[0].imagePullPolicy}{"\n"}{.status.containerStatuses[0].image}{"\n"}{.status.containerStatuses[0].imageID}{"\n"}'

# %% [markdown] key="step-delete-public"
# That Pod has served its purpose; delete it.

# %% key="delete-public"
!kubectl delete pod containers-public --wait=false

# %% [markdown] key="step-dockerfile"
# ## Write a Dockerfile
#
# Your image starts `FROM` the official nginx image and copies one page into the folder nginx serves. The
# cell writes two files into a folder called `hello`: the page, and the Dockerfile.

# %% key="write-dockerfile"
%%bash
mkdir -p hello
cat > hello/index.html <<'EOF'
<!doctype html>
<title>kubelab.local/hello:1.0</title>
<h1>kubelab.local/hello:1.0</h1>
EOF
cat > hello/Dockerfile <<'EOF'
FROM nginx:1.30-alpine
COPY index.html /usr/share/nginx/html/index.html
EOF
cat hello/Dockerfile

# %% [markdown] key="step-build"
# ## Build it into the cluster
#
# On minikube, build the image *inside* the cluster, so its nodes have it. `minikube image build` sends the
# folder to minikube and builds there; `-t` gives the image its name and tag, and `--all` builds it on every
# node, not just the first. Then `minikube image ls` shows it among the node's images.
#
# Another way, if your minikube uses Docker: `eval $(minikube docker-env)` points your `docker` command at
# minikube's own Docker, then `docker build -t kubelab.local/hello:1.0 hello`. An image built with your laptop's
# ordinary Docker, by contrast, is *not* in the cluster: that is the most common trap of this lab.

# %% key="build-image" tags=["needs-minikube"]
!minikube image build --all -t kubelab.local/hello:1.0 hello
!minikube image ls | grep kubelab.local/hello

# %% [markdown] key="step-build-embedded"
# On kubelab's embedded cluster, the real node runs containerd, and `kubelab images build-context` plays the
# part of `minikube image build`: it builds the folder's Dockerfile with **buildah**, on the course's own copy of
# the `FROM` image (nothing is pulled from a registry), and puts the result into the node's image store under the
# name you give with `-t`.

# %% key="build-image-embedded" tags=["needs-data-plane"]
!kubelab images build-context -t kubelab.local/hello:1.0 hello

# %% [markdown] key="step-no-minikube"
# An embedded cluster without a real node (`kubectl get nodes` lists only KWOK nodes) never pulls or runs
# anything, so every image "runs": do the next steps anyway, the checks read the same fields. On a shared
# classroom cluster, your instructor tells you which registry to push your image to.

# %% [markdown] key="concept-runtime"
# ## What runs your containers
#
# The kubelet does not run containers itself. It asks a **container runtime**, through the Container Runtime
# Interface (**CRI**), a small API with requests such as "pull this image" and "start this container". The
# common runtimes are **containerd** and **CRI-O**; Docker Engine is one only through an adapter, `cri-dockerd`,
# which minikube sets up when a profile uses `--container-runtime=docker`. The CONTAINER-RUNTIME column shows
# what each node uses:

# %% key="node-runtime"
!kubectl get nodes -o wide

# %% [markdown] key="concept-runtime-stores"
# Each runtime keeps its **own store of images**, and an image in one store is invisible to another, even on the
# same machine. `eval $(minikube docker-env)` builds into the node's Docker: the kubelet sees that image only
# when Docker is the cluster's runtime. With containerd, minikube refuses `docker-env`, and an image built by
# some other Docker lands where the kubelet never looks: the Pod fails with `ErrImageNeverPull`. `minikube image
# build`, and `minikube image load kubelab.local/hello:1.0` for an image already built on your computer, put it
# into whatever store the nodes' runtime uses: that is why this lab uses them. kubelab creates its minikube
# profile with the docker runtime, so that `docker-env` works as well.

# %% [markdown] key="concept-runtime-embedded"
# kubelab's embedded cluster shows the same rule: its real node runs its own containerd, with a store that no
# Docker and no other containerd on the computer shares. buildah, which `kubelab images build-context` runs,
# keeps yet another store of its own; the command exports the image from it and imports it into the node's
# containerd, in the namespace `k8s.io` where the kubelet looks for images.

# %% [markdown] key="exercise-intro"
# ## Exercise: run your image
#
# Write a Pod that runs the image you built. It must match this description:
#
# - name `containers-hello`, label `app: containers-hello`;
# - one container called `hello`, image `kubelab.local/hello:1.0` (your name and your tag, never `latest`);
# - `imagePullPolicy: Never`, so that the node never asks a registry for it;
# - `containerPort: 80`.

# %% [markdown] key="exercise-how"
# Edit the next cell. Above the `kubectl get pods` line, write `kubectl apply -f - <<'EOF'`, your manifest,
# and a line with only `EOF`, as in the previous labs. Then run the cell.

# %% key="exercise-pod"
%%bash
kubectl get pods

# %% [markdown] key="exercise-verify"
# Wait for your Pod, then read back the fields the checks look at: the image, the pull policy, and the
# image the node reports.

# %% key="inspect-hello"
!kubectl wait --for=condition=Ready pod/containers-hello --timeout=60s
!kubectl get pod containers-hello -o custom-columns=IMAGE:.spec.containers[0].image,PULL:.spec.containers[0].imagePullPolicy,RUNS:.status.containerStatuses[0].image

# %% [markdown] key="exercise-see-it"
# On a cluster whose containers run, ask your container for its page: `kubectl get --raw` sends the request
# through the API server, which forwards it to port 80 of the Pod (the checks read it the same way). It is
# the page you wrote, served by the nginx inside your image. `kubectl describe` shows, in its Events, that the
# image was already on the node: nothing was pulled.

# %% key="see-page" tags=["needs-data-plane"]
!kubectl get --raw /api/v1/namespaces/{lab.namespace}/pods/containers-hello:80/proxy/
!kubectl describe pod containers-hello

# %% [markdown] key="check-intro"
# ## Check your work
#
# Run the checks. Each line says what was verified in your cluster: ✓ passed, ✗ failed (with hints),
# ⚠ could not be checked (not your fault, and it costs no points), ⏭ skipped because this cluster cannot run it.

# %% key="check" tags=["check"]
lab.check()

# %% [markdown] key="stuck"
# ## Stuck?
#
# The next cell creates the reference Pod, so that you can compare it with yours
# (`kubectl get pod containers-hello -o yaml`). It does not build the image: run the build step first. The
# cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# The kubelet looked at `imagePullPolicy: Never`, found `kubelab.local/hello:1.0` among the images of its own node
# (you built it there), and started the container from it: no registry was asked. The checks read what the
# node reports: the Pod is Running, the image is yours with a real tag, the pull policy keeps it local, and,
# on a cluster whose containers run, the container status carries the `imageID` of the image that started.

# %% [markdown] key="debrief-immutable"
# Images never change: to ship a new version of your page, you build `kubelab.local/hello:1.1` and point the Pod at
# it, and the old image is still there if you need to go back. That idea, *replace, do not repair*, comes
# back in lab 04 with rolling updates and rollbacks.

# %% [markdown] key="mistake-host-docker"
# ## Common mistakes
#
# **Building on the wrong Docker.** `docker build` on your laptop puts the image in your laptop's Docker, not
# in the cluster. The Pod then fails with `ErrImageNeverPull` (policy `Never`) or `ErrImagePull` (it tried a
# registry). Build with `minikube image build`, or after `eval $(minikube docker-env)` in the same terminal; on
# kubelab's embedded cluster, with `kubelab images build-context`.

# %% [markdown] key="mistake-volume-over-page"
# **Mounting a volume over the image's files.** A volume mounted at `/usr/share/nginx/html` hides what the image
# put there: nginx serves the empty volume, and answers 403 or 404 instead of your page. The container runs and
# the image is the right one: only asking for the page shows it.

# %% [markdown] key="mistake-latest"
# **Tagging your image `latest`.** With the tag `latest` and no pull policy, Kubernetes chooses `Always`, asks
# the registry `kubelab.local` for `kubelab.local/hello:latest`, and fails with `ErrImagePull`. Give every
# build a version tag.

# %% [markdown] key="mistake-one-node"
# **Building on one node of several.** Without `--all`, `minikube image build` builds on the first node only;
# a Pod scheduled on another node fails with `ErrImageNeverPull`. `kubectl get pod -o wide` shows which node
# it landed on.

# %% [markdown] key="mistake-rebuild-same-tag"
# **Rebuilding with the same tag.** A node that already has `kubelab.local/hello:1.0` keeps using its copy with
# `IfNotPresent`: your change does not show. Build a new tag (`1.1`) and change the Pod, rather than reusing
# an old name for new content.

# %% [markdown] key="mistake-edit-image"
# **Changing the pull policy of a running Pod.** Most of a Pod's spec cannot change once it exists, and
# `kubectl apply` answers with an error. Delete the Pod (`kubectl delete pod containers-hello`), then apply
# the corrected manifest.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell: it removes what you created and puts back the
# starting state.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
