# %% [markdown] key="title"
# # Resources: requests, limits and quotas

# %% [markdown] key="objectives"
# Nodes have a fixed amount of CPU and memory, and every pod takes its share. In this lab you tell
# Kubernetes what your pods need, watch the scheduler refuse a pod that fits nowhere, and set rules for a
# whole namespace. By the end you will be able to:
#
# - set **requests** and **limits**, and say which **QoS class** a pod gets from them;
# - read a `FailedScheduling` event and fix a pod that no node can take;
# - give a namespace default values with a **LimitRange**;
# - cap what a namespace may use with a **ResourceQuota**, and recognise its refusals.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab and creates its namespace; the second makes it kubectl's default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("10-resources")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-workstations"
# ## The butcher's workstation
#
# In the supermarket, each butcher has a workstation: a board, knives, a scale. The manager plans the week
# by the workstations each butcher is **guaranteed**; on a quiet day, a butcher may borrow a free knife from
# the next station, but never more than a set **maximum**. Nodes are the shop's workstations, CPU and
# memory are the tools, and the scheduler is the manager who only places a butcher where the guaranteed
# tools are free.

# %% [markdown] key="concept-requests-limits"
# ## Requests and limits
#
# - A **request** is what the container is guaranteed. The scheduler adds up the requests of the pods on
#   each node and places a new pod only where its requests still fit in the node's *allocatable* CPU and
#   memory. A request says nothing about how much the pod really uses.
# - A **limit** is the most it may use. Above its CPU limit, a container is slowed down (throttled). Above
#   its memory limit, it is killed (`OOMKilled`) and restarted: memory cannot be taken back any other way.
#
# CPU is counted in cores: `250m` is a quarter of a core. Memory is counted in bytes: `128Mi` is 128 MiB.

# %% [markdown] key="concept-qos"
# ## Quality of service
#
# From the requests and limits, Kubernetes gives each pod a **QoS class**, which decides who is evicted first
# when a node runs out of memory:
#
# - **Guaranteed**: every container has CPU and memory limits equal to its requests. Evicted last.
# - **Burstable**: some requests or limits, but not all equal. In between.
# - **BestEffort**: no requests and no limits at all. Evicted first.
#
# A rule many teams apply: **memory request = memory limit**, always. CPU can be borrowed and given back,
# memory cannot; a pod that uses more memory than it asked for is the first one killed when the node is full.

# %% [markdown] key="step-nodes"
# ## What the nodes can give
#
# Each node reports its *allocatable* CPU and memory, and `describe` shows how much of it is already
# requested by the pods running there.

# %% key="nodes-allocatable"
!kubectl get nodes -o custom-columns=NAME:.metadata.name,CPU:.status.allocatable.cpu,MEMORY:.status.allocatable.memory
!kubectl describe nodes | grep -A 8 "Allocated resources"

# %% [markdown] key="step-guaranteed"
# ## A Guaranteed Deployment
#
# `resources-api` asks for a quarter of a core and 128Mi in each of its two pods, with limits equal to the
# requests.

# %% key="apply-api"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: resources-api
  labels:
    app: resources-api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: resources-api
  template:
    metadata:
      labels:
        app: resources-api
    spec:
      containers:
        - name: api
          image: nginx:1.30
          resources:
            requests:
              cpu: 250m
              memory: 128Mi
            limits:
              cpu: 250m
              memory: 128Mi
EOF
kubectl rollout status deployment/resources-api --timeout=120s

# %% [markdown] key="step-qos"
# The QoS class is not something you write: Kubernetes sets it in each pod's `status.qosClass` when the pod
# is created.

# %% key="get-qos"
!kubectl get pods -l app=resources-api -o custom-columns=NAME:.metadata.name,QOS:.status.qosClass,NODE:.spec.nodeName

# %% [markdown] key="step-greedy"
# ## A pod too big for any node
#
# Now ask for more than any node has: `resources-greedy` requests 16 CPUs. The API server accepts it (it is
# a valid pod), but the scheduler finds no node where 16 CPUs are free, so the pod stays **Pending**.

# %% key="apply-greedy"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: resources-greedy
  labels:
    app: resources-greedy
spec:
  containers:
    - name: greedy
      image: nginx:1.30
      resources:
        requests:
          cpu: "16"
          memory: 64Mi
        limits:
          cpu: "16"
          memory: 64Mi
EOF
sleep 3
kubectl get pod resources-greedy

# %% [markdown] key="step-greedy-events"
# Why? The answer is at the bottom of `describe`: a `FailedScheduling` event from the scheduler, such as
# `0/4 nodes are available: 1 node(s) had untolerated taint(s), 3 Insufficient cpu`. Read it node by node:
# one node refused the pod because of a taint (the control plane), the others because their free CPU is too
# small.

# %% key="describe-greedy"
!kubectl describe pod resources-greedy
!kubectl get events --field-selector involvedObject.name=resources-greedy

# %% [markdown] key="step-greedy-fix"
# To fix it, ask for what the pod really needs. The resources of a pod that waits for a node cannot simply be
# edited, so delete it and create it again with a request of a quarter of a core.

# %% key="fix-greedy"
%%bash
kubectl delete pod resources-greedy --wait=true
kubectl apply -f - <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: resources-greedy
  labels:
    app: resources-greedy
spec:
  containers:
    - name: greedy
      image: nginx:1.30
      resources:
        requests:
          cpu: 250m
          memory: 64Mi
        limits:
          cpu: 500m
          memory: 64Mi
EOF
kubectl wait --for=condition=Ready pod/resources-greedy --timeout=60s
kubectl get pod resources-greedy -o custom-columns=NAME:.metadata.name,QOS:.status.qosClass,NODE:.spec.nodeName

# %% [markdown] key="exercise-intro"
# ## Exercise: rules for the namespace
#
# A namespace is often shared by a team. Two objects set its rules:
#
# - a **LimitRange** fills in default requests and limits for containers that give none (and can set a
#   minimum and maximum). It acts when a pod is **created**: pods that already exist keep what they had;
# - a **ResourceQuota** caps the total the namespace may request and use. The quota controller keeps its
#   `status.used` up to date, and the API server **refuses** any new pod that would go over it.

# %% [markdown] key="exercise-spec"
# Create, in this order:
#
# 1. a LimitRange `resources-defaults` for type `Container`, with `defaultRequest` cpu `100m`, memory `128Mi`
#    and `default` (the limits) cpu `200m`, memory `128Mi`;
# 2. a ResourceQuota `resources-quota` whose `hard` limits are `pods: "10"`, `requests.cpu: "2"`,
#    `requests.memory: 1Gi`, `limits.cpu: "4"` and `limits.memory: 1Gi`;
# 3. a pod `resources-plain` (image `nginx:1.30`, label `app: resources-plain`) with **no** `resources` at all.
#
# Write them in the next cell, above the `kubectl get` line, then run it.

# %% key="exercise-rules"
%%bash
kubectl get limitrange,resourcequota,pods

# %% [markdown] key="exercise-verify"
# Look at what the pod received. The annotation `kubernetes.io/limit-ranger` is the LimitRange's mark: it says
# which values it filled in. The quota shows what the namespace uses out of what it may.

# %% key="inspect-rules"
!kubectl get pod resources-plain -o jsonpath='{.metadata.annotations}'
!kubectl get pod resources-plain -o jsonpath='{.spec.containers[0].resources}'
!kubectl describe resourcequota resources-quota

# %% [markdown] key="exercise-refused"
# Finally, try to go over the quota: a pod asking for 3 CPUs, when the namespace may request only 2 in
# total. `--dry-run=server` sends the pod through every check of the API server, quota included, without
# storing it. The API server refuses it with `exceeded quota`: a refused pod is never created, so there is
# nothing to `describe`; the error message is the whole story.

# %% key="over-quota"
%%bash
kubectl apply --dry-run=server -f - <<'EOF' || true
apiVersion: v1
kind: Pod
metadata:
  name: resources-too-big
spec:
  containers:
    - name: big
      image: nginx:1.30
      resources:
        requests:
          cpu: "3"
          memory: 64Mi
        limits:
          cpu: "3"
          memory: 64Mi
EOF

# %% key="picture"
lab.picture()

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
# The next cell applies the reference solution, so that you can compare it with your own work
# (`kubectl get limitrange,resourcequota -o yaml`). The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# Three different parts of Kubernetes were at work. The **scheduler** compared requests with what each node
# still had free, and wrote its reasons in an event when nothing fitted. The **admission** step of the API
# server changed your pod before storing it (the LimitRange's defaults) or refused it (the quota). And the
# **quota controller** keeps counting what the namespace uses. Limits are enforced later still, on the node,
# by the container runtime.

# %% [markdown] key="mistake-order"
# ## Common mistakes
#
# **Creating the quota while a pod waits.** A Pending pod counts against the quota. Had you created the
# quota while `resources-greedy` asked for 16 CPUs, the namespace would already be "using" 16 CPUs, and
# every new pod would be refused.

# %% [markdown] key="mistake-limitrange"
# **Expecting a LimitRange to change existing pods.** It acts only when a pod is created. Delete and create
# the pod again (a Deployment does it for you with `kubectl rollout restart`).

# %% [markdown] key="mistake-request-only"
# **A request without a limit, under a LimitRange.** A container that asks for 16 CPUs but gives no limit
# receives the LimitRange's default limit (200m here), and the pod is refused: a request can never exceed its
# limit. Set both.

# %% [markdown] key="mistake-memory"
# **Memory limits above requests.** The pod is scheduled for its request but may grow to its limit; when the
# node fills up, it is among the first to be killed. Keep memory request and limit equal.

# %% [markdown] key="mistake-shared"
# **Forgetting the rules in a shared namespace.** A LimitRange and a ResourceQuota apply to every pod of the
# namespace, including those of other labs. If your namespace is shared, run the reset cell below when you
# are done.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell: it removes what you created and puts back the
# starting state.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
