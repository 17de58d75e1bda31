# %% [markdown] key="title"
# # Welcome: a tour of your cluster

# %% [markdown] key="objectives"
# Welcome to kubelab! Before you build anything, take a walk around the cluster you will use for the whole
# course. In this lab you meet its parts, ask it a few questions, and leave two marks of your passage.
# By the end you will be able to:
#
# - name the parts of the control plane and of a node, and say what each one does;
# - explain what a *desired state* is, and why Kubernetes is called *declarative*;
# - check that your cluster is healthy, with `kubelab doctor` and `kubectl`;
# - watch the scheduler place a Pod on a node;
# - label a namespace, and find objects by their labels.

# %% [markdown] key="notebook-intro"
# ## How these notebooks work
#
# Run each code cell in order with **Shift+Enter**. Lines that start with `!` are shell commands: here, mostly
# `kubectl`, the command-line tool that talks to Kubernetes. Cells that start with `%%bash` are small shell
# scripts. A few cells only make sense on some clusters (for example minikube, or a cluster whose containers
# really run); on other clusters they are skipped, and the notebook says why.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab: it finds your cluster, creates the lab's namespace (a named space that keeps
# this lab's objects apart from the others) and tells you what it did. The second one makes that namespace
# kubectl's default, so that you do not have to add `-n` to every command.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("00-welcome")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-conductor"
# ## The conductor and the orchestra
#
# Picture a symphony orchestra. Someone composed the music and wrote it down as a score. The conductor plays
# no instrument at all: she reads the score, tells each section when to come in, and listens. When the
# violins drift out of time, she brings them back. The music comes from the musicians; the *coordination*
# comes from her.

# %% [markdown] key="concept-mapping"
# Kubernetes works the same way. You are the composer: you write down what should run, in files called
# **manifests**. The **control plane** is the conductor: it runs nothing itself, but it decides who plays
# what and keeps checking that the music matches the score. The **nodes** are the musicians: the machines
# where your containers really run.

# %% [markdown] key="concept-control-plane"
# ## The control plane
#
# The conductor is a small team:
#
# - the **API server** is the only door in. `kubectl`, the notebooks and every other part talk to it, and
#   to nothing else;
# - **etcd** is the cluster's memory: a database that stores every object, your desired state included;
# - the **scheduler** watches for new Pods that have no node yet, and picks a node for each;
# - the **controller manager** runs the controllers: loops that compare what you asked for with what
#   exists, and act to close the gap.

# %% [markdown] key="concept-node"
# ## The nodes
#
# On every node, two components take their cue from the control plane:
#
# - the **kubelet** receives the Pods the scheduler gave its node, starts their containers through the
#   container runtime, and reports back how they are doing;
# - **kube-proxy** programs the node's network so that traffic sent to a Service reaches the right Pods
#   (you meet Services in lab 05).

# %% [markdown] key="concept-desired-state"
# ## Desired state
#
# You never tell Kubernetes "start this container now, on that machine". You store a **desired state** in the
# API server: "one Pod called welcome-hello should run nginx". Every object has a `spec` (what you asked for)
# and a `status` (what Kubernetes observed). The controllers and the kubelets keep working until the two
# agree, and act again whenever they drift apart. That is what **declarative** means: you describe the
# result, not the steps.

# %% [markdown] key="step-doctor"
# ## Is the orchestra in the hall?
#
# `kubelab doctor` looks at your set-up (the cluster, kubectl, its context) and reports anything wrong, with
# the command that fixes it. Run it whenever something seems off. `kubectl cluster-info` then prints the
# address of the API server kubectl talks to.

# %% key="doctor"
!kubelab doctor
!kubectl cluster-info

# %% [markdown] key="step-versions"
# `kubectl version` shows two versions: the client's (your kubectl) and the server's (the API server). They
# may differ by one minor version without trouble.

# %% key="version"
!kubectl version

# %% [markdown] key="step-nodes"
# ## Meet the musicians
#
# `kubectl get nodes` lists the nodes. STATUS `Ready` means the node's kubelet reports in regularly and can
# take Pods. ROLES shows which node hosts the control plane. On minikube there may be a single node that does
# both jobs. On a shared classroom cluster you may not be allowed to list nodes: kubectl then answers
# "Forbidden", and that is the cluster's rule, not your mistake.

# %% key="get-nodes"
!kubectl get nodes -o wide

# %% [markdown] key="step-describe-node"
# `kubectl describe node` tells a node's whole story: its capacity (CPU, memory, how many Pods), the version
# of its kubelet, its conditions, and the Pods it runs right now. The first command picks the first node's
# name; the second describes it.

# %% key="describe-node"
%%bash
node=$(kubectl get nodes -o jsonpath='{.items[0].metadata.name}')
kubectl describe node "$node"

# %% [markdown] key="step-system-pods"
# ## Backstage
#
# On minikube, the control plane itself runs as Pods in the namespace `kube-system`: look for `etcd`,
# `kube-apiserver`, `kube-scheduler`, `kube-controller-manager` and one `kube-proxy` per node. On other
# clusters those parts may run outside Kubernetes, and the list is shorter, or empty.

# %% key="system-pods"
!kubectl get pods -n kube-system

# %% [markdown] key="step-api-resources"
# Everything you can create is a *kind* of object that the API server knows. This list is long: do not
# learn it, just notice a few names you will meet again (pods, deployments, services, namespaces).

# %% key="api-resources"
!kubectl api-resources --namespaced=true | head -n 25

# %% [markdown] key="step-api-direct"
# ## Meeting the API directly
#
# kubectl is only a client: every command you have run was an HTTPS request to the API server, and every answer
# a JSON document. Three commands show it. `kubectl explain` reads the API's own description of a kind, field by
# field; here, what the containers of a Pod may say:

# %% key="explain"
!kubectl explain pod.spec.containers | head -n 20

# %% [markdown] key="step-get-raw"
# `kubectl get --raw` sends a GET to a path of the API and prints the JSON as it comes. Every kind lives under
# such a path: the core kinds under `/api/v1`, the others under `/apis/<group>/<version>`. This is the list of
# Pods in your namespace, exactly as kubectl receives it (still empty):

# %% key="get-raw"
!kubectl get --raw /api/v1/namespaces/{lab.namespace}/pods

# %% [markdown] key="step-proxy"
# `kubectl proxy` lets any HTTP client talk to the API: it listens on `127.0.0.1`, adds your credentials to each
# request and passes it on. The next cell starts it in the background (`--port=0` picks a free port, which it
# prints), asks for the same list with `curl`, a plain REST call, then stops it. Keep it on `127.0.0.1`: whoever
# reaches the proxy acts with your rights.

# %% key="proxy-curl"
%%bash
LOG=$(mktemp)
kubectl proxy --port=0 > "$LOG" 2>&1 &
PROXY=$!
for i in $(seq 50); do grep -q "Starting to serve" "$LOG" && break; sleep 0.2; done
PORT=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$LOG")
NS=$(kubectl config view --minify -o jsonpath='{..namespace}')
curl -s --max-time 5 "http://127.0.0.1:$PORT/api/v1/namespaces/$NS/pods"
kill $PROXY
rm -f "$LOG"

# %% [markdown] key="step-conductor-at-work"
# ## The conductor at work
#
# Now watch the whole orchestra play one note. `kubectl run` asks the API server for one Pod, called
# `welcome-hello`, running the web server nginx. The API server stores it in etcd; the scheduler notices a
# Pod without a node and picks one; that node's kubelet starts the container and reports back. `kubectl wait`
# pauses until the Pod is Ready (or gives up after 60 seconds).

# %% key="run-hello"
!kubectl run welcome-hello --image=nginx:1.30 --labels=app=welcome-hello
!kubectl wait --for=condition=Ready pod/welcome-hello --timeout=60s

# %% [markdown] key="step-where"
# With `-o wide`, the NODE column shows the scheduler's choice. The picture below draws the same thing: the
# nodes, and your Pod on one of them, coloured by its status.

# %% key="get-hello"
!kubectl get pod welcome-hello -o wide

# %% key="picture"
lab.picture()

# %% [markdown] key="step-events"
# Events are the orchestra's log book. Sorted by time, they tell the story you just read: `Scheduled` (the
# scheduler chose a node), then, on a node that runs real containers, `Pulling`, `Pulled`, `Created` and
# `Started` (the kubelet at work).

# %% key="events"
!kubectl get events --sort-by=.lastTimestamp

# %% [markdown] key="step-spec-status"
# Here is the desired state and the observed state side by side: the image you asked for (`spec`), and the
# node and phase that Kubernetes reports (`status` and the scheduler's choice).

# %% key="spec-and-status"
%%bash
kubectl get pod welcome-hello -o jsonpath='{.spec.containers[0].image}{"\n"}{.spec.nodeName}{"\n"}{.status.phase}{"\n"}'

# %% [markdown] key="step-container"
# On a cluster whose containers really run, you can also talk to the container: `kubectl logs` shows what
# nginx wrote at start-up, and `kubectl exec` runs a command inside it.

# %% key="logs-hello" tags=["needs-data-plane"]
!kubectl logs welcome-hello
!kubectl exec welcome-hello -- nginx -v

# %% [markdown] key="concept-namespaces"
# ## Namespaces and labels
#
# A **namespace** is a named space inside the cluster: names must be unique within a namespace, not across
# the cluster, so two labs (or two students) can each have a Pod called `web`. A **label** is a `key=value`
# pair attached to any object. Labels do not change what an object does; they let you, and Kubernetes
# itself, find objects: "every Pod with `app=welcome-hello`", "every namespace owned by Ana".

# %% [markdown] key="step-namespaces"
# List the namespaces with their labels. When `lab.start()` created this lab's namespace, it labelled it
# `kubelab.dev/lab=00-welcome`, so kubelab knows the namespace is its own.

# %% key="get-namespaces"
!kubectl get namespaces --show-labels

# %% [markdown] key="exercise-intro"
# ## Exercise: make the namespace yours
#
# Label this lab's namespace with the key `kubelab.dev/owner` and your name as the value (lower case letters,
# digits, `-`, `_` or `.`, no spaces: for example `kubelab.dev/owner=ana`). Use `kubectl label namespace`,
# then list the namespaces that carry the label, with `-l`.
#
# On your own laptop you created namespaces freely, so you may label them too. On a **shared classroom
# cluster** (JupyterHub), you get one namespace and your account may not be allowed to change it: if kubectl
# answers `Forbidden`, the check of this exercise fails and says so. That is not your mistake; tell your
# instructor, who can allow it.

# %% [markdown] key="exercise-how"
# Edit the next cell. Above the line that is there, add a line that starts with `!kubectl label namespace`,
# then the namespace's name, written `{lab.namespace}` (the notebook fills it in for you), then your label.
# Then run the cell: the listing shows your namespace once it carries the label.

# %% key="exercise-label"
!kubectl get namespaces -l kubelab.dev/owner --show-labels

# %% [markdown] key="check-intro"
# ## Check your work
#
# Run the checks. Each line says what was verified in your cluster: ✓ passed, ✗ failed (with hints),
# ⚠ could not be checked (not your fault, and it costs no points), ⏭ skipped because this cluster cannot run it.
# If the cluster cannot be reached at all, every line says so, and costs you nothing: run `kubelab doctor`.

# %% key="check" tags=["check"]
lab.check()

# %% [markdown] key="stuck"
# ## Stuck?
#
# The next cell applies the reference solution: it labels the namespace `kubelab.dev/owner=learner` and
# creates `welcome-hello`. The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# You typed one command, and four parts of the cluster did their share: the API server stored your Pod in
# etcd, the scheduler wrote a node's name into it, and that node's kubelet started the container and wrote
# the `status` you read back. Nobody told the kubelet to act: it noticed a Pod for its node, just as a
# musician follows the conductor's gesture. The check *"placed on a Ready node"* reads exactly those facts:
# the node the scheduler chose, and that node's Ready condition.

# %% [markdown] key="debrief-reachable"
# Being able to reach the cluster is not a check of its own: if kubelab cannot read your cluster, it cannot
# grade anything, so every check reports an error, which never costs points, with the reason. On a
# shared cluster that does not let you read nodes, the node check is an error for the same reason.

# %% [markdown] key="mistake-context"
# ## Common mistakes
#
# **The wrong cluster or namespace.** kubectl talks to the cluster and namespace of its *current context*.
# `kubectl config current-context` and `kubectl config view --minify` show them. If your Pod "disappeared",
# it is often in another namespace: `kubectl get pods -A` looks everywhere.

# %% [markdown] key="mistake-label-key"
# **A label with the wrong key.** `owner=ana` and `kubelab.dev/owner=ana` are two different labels: the part
# before the `/` is a prefix that says who defined the key, and it is part of the name. Compare what you
# wrote with `kubectl get namespace <name> --show-labels`.

# %% [markdown] key="mistake-not-ready"
# **A node that is NotReady.** The kubelet of that node has stopped reporting (the machine is off, out of
# memory, or minikube was stopped). `kubectl describe node` shows its conditions; on a laptop,
# `kubelab doctor` says how to bring the cluster back.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell: it removes what you created and puts back the
# starting state.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
