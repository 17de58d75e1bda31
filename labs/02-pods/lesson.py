# %% [markdown] key="title"
# # Pods: the smallest thing Kubernetes runs

# %% [markdown] key="objectives"
# Every application on Kubernetes ends up running in Pods. In this lab you write your first Pod by hand,
# watch Kubernetes bring it to life, and look inside it. By the end you will be able to:
#
# - explain what a Pod is, and why Kubernetes works from a *desired state*;
# - write a Pod manifest and create it with `kubectl apply`;
# - inspect a Pod with `kubectl get`, `describe`, `logs` and `exec`;
# - run two containers in one Pod that share a volume and `localhost`.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab: it finds your cluster, creates the lab's namespace and tells you what it did.
# The second one makes that namespace kubectl's default, so you do not have to add `-n` to every command.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("02-pods")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-conductor"
# ## The conductor and the orchestra
#
# Think of a symphony orchestra. The composer writes the score; the conductor plays no instrument, but keeps
# every musician in time so that the whole piece sounds the way it was written.
# In Kubernetes, the **control plane** is the conductor and the **nodes** are the musicians.
# Your manifests are the score: they describe the music, not the movements of each hand.

# %% [markdown] key="concept-control-plane"
# The conductor has a few helpers. The **API server** receives every request: it is the only way in.
# **etcd** keeps the score. The **scheduler** decides which node plays each part. The **controller manager**
# keeps comparing what is written with what is being played. On each node, the **kubelet** starts the
# containers it has been given.

# %% [markdown] key="concept-desired-state"
# ## Desired state
#
# You never tell Kubernetes "start this container now". You declare a **desired state**: "there should be a
# Pod called pods-web running nginx 1.30". That goes in the object's `spec`. Kubernetes reports what really
# exists in its `status`, and keeps working until the two agree; if they drift apart later, it acts again.
# This is what *declarative* means.

# %% [markdown] key="concept-pod"
# ## What is a Pod?
#
# A Pod is the smallest thing Kubernetes schedules: one or more containers that always run together, on the
# same node. They share one network identity (one IP address, one `localhost`) and can share volumes.
# Most Pods have a single container. Pods are disposable: a broken Pod is replaced, not repaired.

# %% [markdown] key="step-nodes"
# ## Meet the musicians
#
# Start with the nodes of your cluster. `-o wide` adds columns such as each node's internal IP address and
# its container runtime.

# %% key="get-nodes"
!kubectl get nodes -o wide

# %% [markdown] key="step-first-pod"
# ## Your first pod
#
# The manifest below describes one Pod: `apiVersion` and `kind` say what it is, `metadata` names and labels it,
# and `spec` is the desired state. Three details are checked at the end of the lab:
#
# - the image `nginx:1.30` is a **pinned** version, never `latest`;
# - the label `app: pods-web` is how other objects will find this Pod;
# - `containerPort: 80` declares the port nginx listens on.

# %% key="apply-web"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: pods-web
  labels:
    app: pods-web
spec:
  containers:
    - name: web
      image: nginx:1.30
      ports:
        - containerPort: 80
EOF

# %% [markdown] key="step-wait"
# `kubectl apply -f -` read the manifest from the lines between `<<'EOF'` and `EOF`, and returned as soon as the
# API server had stored your Pod. Then the scheduler picks a node, and that node's kubelet pulls the image and
# starts the container. `kubectl wait` pauses until the Pod reports that it is Ready, or gives up after
# 60 seconds.

# %% key="wait-web"
!kubectl wait --for=condition=Ready pod/pods-web --timeout=60s

# %% [markdown] key="step-get"
# ## Looking at your Pod
#
# `kubectl get pods` prints one line per Pod. With `-o wide` you also see its IP address and the node the
# scheduler chose; `--show-labels` adds its labels. Below, `lab.picture()` draws the same thing: the nodes,
# and your Pod on one of them, coloured by its status.

# %% key="get-pods"
!kubectl get pods -o wide
!kubectl get pod pods-web --show-labels

# %% key="picture"
lab.picture()

# %% [markdown] key="step-spec-status"
# Every object carries both halves of the desired-state idea: `spec` (what you asked for) and `status` (what
# Kubernetes observed). This cell prints one field of each: the image you asked for, and the phase the
# kubelet reports.

# %% key="spec-and-status"
%%bash
kubectl get pod pods-web -o jsonpath='{.spec.containers[0].image}{"\n"}{.status.phase}{"\n"}'

# %% [markdown] key="step-describe"
# `kubectl describe` is the command to reach for when something looks wrong. It gathers the Pod's settings,
# its conditions and, at the bottom, its **Events**: the story of what the scheduler and the kubelet did
# (Scheduled, Pulling, Pulled, Created, Started; a simulated cluster only shows Scheduled).
# A Pod stuck in Pending explains itself there.

# %% key="describe-web"
!kubectl describe pod pods-web

# %% [markdown] key="step-inside"
# ## Inside the container
#
# `kubectl logs` shows what the container wrote to its standard output: for nginx, its start-up messages and
# one line per request. `kubectl exec` runs a command inside the container; everything after `--` is that
# command. These cells need real containers, so they are skipped on a cluster whose nodes are simulated.

# %% key="logs-and-exec" tags=["needs-data-plane"]
!kubectl logs pods-web
!kubectl exec pods-web -- nginx -v
!kubectl exec pods-web -- ls /usr/share/nginx/html

# %% [markdown] key="step-port-forward"
# Now talk to nginx from your own machine. `kubectl port-forward` connects your local port 8080 to the Pod's
# port 80 for as long as it runs; `timeout` stops it after a few seconds so that the cell ends.
# You should see the first lines of the "Welcome to nginx!" page.

# %% key="port-forward-web" tags=["needs-data-plane"]
%%bash
timeout 8 kubectl port-forward pod/pods-web 8080:80 >/dev/null &
sleep 3
curl -s http://localhost:8080 | head -n 4
wait

# %% [markdown] key="exercise-intro"
# ## Exercise: a Pod with a sidecar
#
# Now write a Pod with **two** containers. One serves web pages with nginx; the other, a small helper called
# a *sidecar*, writes the current date into the page every five seconds. Neither knows about the other:
# they meet in a shared folder.

# %% [markdown] key="exercise-volume"
# That shared folder is a **volume** of type `emptyDir`: an empty directory created when the Pod starts on its
# node, and deleted with the Pod. You declare it once, under `spec.volumes`; then each container mounts it
# with `volumeMounts`, at whatever path suits it. Both mounts refer to the volume by its `name`.
# `kubectl explain` describes the fields, straight from your cluster:

# %% key="explain-volumes"
!kubectl explain pod.spec.volumes.emptyDir
!kubectl explain pod.spec.containers.volumeMounts

# %% [markdown] key="exercise-localhost"
# The two containers also share the Pod's network: one IP address and one `localhost`. The sidecar can reach
# nginx at `http://localhost:80`, with no Service in between. This is why containers that must work closely
# together go in one Pod, while independent applications go in separate Pods.

# %% [markdown] key="exercise-spec"
# Your Pod must match this description:
#
# - name `pods-sidecar`, label `app: pods-sidecar`;
# - a volume named `html`, of type `emptyDir: {}`;
# - a container `web`, image `nginx:1.30`, port 80, mounting `html` at `/usr/share/nginx/html`;
# - a container `writer`, image `busybox:1.37`, mounting `html` at `/html`, with the command
#   `["sh", "-c", "while true; do date > /html/index.html; sleep 5; done"]`.

# %% [markdown] key="exercise-how"
# Edit the next cell. Above the `kubectl get pods` line, write `kubectl apply -f - <<'EOF'`, your manifest,
# and a line with only `EOF`, just like in the step "Your first pod". Start from the `pods-web` manifest and
# add what is new: the `volumes` list, the second container and the two `volumeMounts`. Then run the cell.

# %% key="exercise-sidecar"
%%bash
kubectl get pods

# %% [markdown] key="exercise-verify"
# Once your Pod exists, wait for it and look at it. The READY column should say `2/2`: two containers out of
# two are ready. In the output of `describe`, each container lists its **Mounts**: look for `html` in both.

# %% key="inspect-sidecar"
!kubectl wait --for=condition=Ready pod/pods-sidecar --timeout=60s
!kubectl get pod pods-sidecar -o wide
!kubectl describe pod pods-sidecar

# %% [markdown] key="exercise-see-it-work"
# With two containers, `kubectl exec` and `kubectl logs` need `-c` to say which one you mean. The first
# command reads the page through the `web` container: it holds the date that `writer` wrote. The second
# runs inside `writer` and fetches the page from nginx over the shared `localhost`.

# %% key="exec-sidecar" tags=["needs-data-plane"]
!kubectl exec pods-sidecar -c web -- cat /usr/share/nginx/html/index.html
!kubectl exec pods-sidecar -c writer -- wget -qO- http://localhost:80

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
# It happens to everyone. The next cell applies the reference solution, so that you can compare it with your
# own work (`kubectl get pod pods-sidecar -o yaml`) and carry on. The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# You never started a container yourself. You stored a desired state in the API server; the scheduler wrote
# a node's name into your Pod; that node's kubelet noticed, pulled the images and started the containers;
# and the status you read back is the kubelet's report. That is the conductor's loop at work.

# %% [markdown] key="debrief-sidecar"
# In `pods-sidecar`, both containers mount the same `html` volume, so the file `writer` saves as
# `/html/index.html` is the file nginx serves from `/usr/share/nginx/html/index.html`: two paths, one
# directory. If each container mounts its *own* emptyDir, nginx never sees the page and answers
# "403 Forbidden".

# %% [markdown] key="mistake-latest"
# ## Common mistakes
#
# **Using `latest`.** The tag `latest` moves whenever a new image is published, so two nodes can run two
# versions of "the same" Pod, and a restart can upgrade you by surprise. Pin a version, such as `nginx:1.30`.
# On minikube, a local image tagged `latest` is also pulled from the internet every time, and fails with
# `ErrImagePull`: give your own images a real tag.

# %% [markdown] key="mistake-labels"
# **A label with a typo.** Deployments and Services find Pods by their labels, and labels match exactly:
# `app: web` is not `app: pods-web`. Check with `kubectl get pods --show-labels`, and fix a Pod's label with
# `kubectl label pod pods-web app=pods-web --overwrite`.

# %% [markdown] key="mistake-pending"
# **A Pod stuck in Pending.** When STATUS stays `Pending`, no node has accepted the Pod. `kubectl describe pod`
# shows a `FailedScheduling` event with the reason: a `nodeSelector` that no node matches, not enough CPU or
# memory, or a taint. `ErrImagePull` or `CrashLoopBackOff` mean something else: the Pod did reach a node,
# and the image or the program is the problem.

# %% [markdown] key="mistake-immutable"
# **Editing a running Pod.** Most of a Pod's spec cannot change once it exists: you cannot add a container, a
# volume or a port, and `kubectl apply` answers with a "Forbidden" error. Delete the Pod
# (`kubectl delete pod pods-sidecar`), then apply the corrected manifest.

# %% [markdown] key="mistake-bare-pods"
# **Expecting a bare Pod to come back.** Nothing watches over a Pod you create by hand: if its node fails or
# someone deletes it, it is gone for good. The next lab hands Pods to a Deployment, which replaces them.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell: it removes what you created and puts back the
# starting state.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
