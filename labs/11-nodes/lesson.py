# %% [markdown] key="title"
# # Nodes: scheduling, cordon, drain and uncordon

# %% [markdown] key="objectives"
# Until now the scheduler chose nodes for you. In this lab you steer it, then take a node out of service for
# maintenance without stopping your application. By the end you will be able to:
#
# - label nodes and keep pods on chosen nodes with a `nodeSelector`;
# - run one pod on every node with a **DaemonSet**;
# - **cordon** a node, **drain** it so that its pods move elsewhere, and **uncordon** it afterwards.
#
# This lab needs a cluster with at least two worker nodes besides the control plane: on minikube,
# `minikube start --nodes 3`. It changes nodes, which belong to the whole cluster, so it cannot be done on a
# shared classroom cluster where you only own a namespace.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab and creates its namespace; the second makes it kubectl's default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("11-nodes")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-orchestra"
# ## Musicians and their chairs
#
# Back to the orchestra. The conductor decides who plays which part, but can be told about the musicians:
# "only the violinists sit on the left". When a chair breaks, the conductor first stops seating anyone on
# it, then asks its musician to move to a free chair, and only then is the chair repaired; the music never
# stops. Nodes are the chairs: **labels** describe them, a **nodeSelector** says which ones a pod may use,
# and **cordon**, **drain** and **uncordon** are the repair routine.

# %% [markdown] key="step-nodes"
# ## Meet the nodes
#
# List the nodes with their roles and labels. One is the control plane: on kubelab's embedded cluster it
# carries a *taint* that keeps ordinary pods away; on multi-node minikube it has no taint, but it still runs
# the cluster's own components, so you will keep your pods off it.

# %% key="get-nodes"
!kubectl get nodes -o wide
!kubectl get nodes --show-labels

# %% [markdown] key="step-label"
# ## Choosing nodes
#
# Label every worker node (every node without the control-plane role) with `kubelab.dev/nodes-lab=web`.
# The selector `-l '!node-role.kubernetes.io/control-plane'` means "nodes that do not have this label".
# `-L` adds a column with the label's value.

# %% key="label-workers"
!kubectl label nodes -l '!node-role.kubernetes.io/control-plane' kubelab.dev/nodes-lab=web --overwrite
!kubectl get nodes -L kubelab.dev/nodes-lab

# %% [markdown] key="step-web"
# The Deployment `nodes-web` runs four replicas, and its `nodeSelector` allows only nodes labelled
# `kubelab.dev/nodes-lab: web`. Among those, the scheduler spreads the replicas over the nodes. For stricter
# or softer rules (several values, "preferably on"), the same idea is written as `affinity.nodeAffinity`.

# %% key="apply-web"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nodes-web
  labels:
    app: nodes-web
spec:
  replicas: 4
  selector:
    matchLabels:
      app: nodes-web
  template:
    metadata:
      labels:
        app: nodes-web
    spec:
      nodeSelector:
        kubelab.dev/nodes-lab: web
      containers:
        - name: web
          image: nginx:1.30
          resources:
            requests:
              cpu: 50m
              memory: 32Mi
            limits:
              cpu: 100m
              memory: 32Mi
EOF
kubectl rollout status deployment/nodes-web --timeout=120s
kubectl get pods -l app=nodes-web -o wide

# %% [markdown] key="step-agent"
# ## One pod on every node
#
# Some programs must run on each node: a log collector, a monitoring agent, a network plugin. A
# **DaemonSet** runs one copy per node and adds one on each new node. `nodes-agent` runs a tiny container
# that does nothing, standing in for such an agent.

# %% key="apply-agent"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: nodes-agent
  labels:
    app: nodes-agent
spec:
  selector:
    matchLabels:
      app: nodes-agent
  template:
    metadata:
      labels:
        app: nodes-agent
    spec:
      containers:
        - name: agent
          image: registry.k8s.io/pause:3.10
          resources:
            requests:
              cpu: 10m
              memory: 16Mi
            limits:
              cpu: 10m
              memory: 16Mi
EOF
kubectl rollout status daemonset/nodes-agent --timeout=120s
kubectl get daemonset nodes-agent
kubectl get pods -l app=nodes-agent -o wide

# %% key="picture"
lab.picture()

# %% [markdown] key="exercise-intro"
# ## Exercise: maintenance on a node
#
# One of your worker nodes needs maintenance. You will take it out of service without interrupting
# `nodes-web`, then bring it back. First, find the worker that runs the most `nodes-web` pods: the next cell
# keeps its name in the Python variable `node`, which later cells use as `{node}`.

# %% key="pick-node"
nodes = !kubectl get pods -l app=nodes-web -o custom-columns=NODE:.spec.nodeName --no-headers
node = max(set(nodes), key=nodes.count)
node

# %% [markdown] key="exercise-cordon"
# **Cordon** marks the node unschedulable: pods already there keep running, but no new pod is placed on it.
# `kubectl get nodes` shows `SchedulingDisabled`, and the node gets the taint
# `node.kubernetes.io/unschedulable`.

# %% key="cordon"
!kubectl cordon {node}
!kubectl get nodes
!kubectl describe node {node} | grep -i -A 2 taints

# %% [markdown] key="exercise-drain"
# **Drain** cordons the node (if needed), then *evicts* its pods: each is deleted politely, respecting
# PodDisruptionBudgets, and its controller creates a replacement on another node. Two options matter:
#
# - `--ignore-daemonsets`: a DaemonSet's pod belongs on every node, so drain leaves it there; without this
#   option, drain refuses to start when there is one;
# - `--pod-selector=app=nodes-web`: evict only this lab's pods. A real maintenance drains everything, and
#   then drain also refuses pods that nothing would recreate (bare pods, like those of the pods lab) unless
#   you add `--force`, and pods with emptyDir data unless you add `--delete-emptydir-data`. The selector
#   keeps the pods of your earlier labs where they are.

# %% key="drain"
!kubectl drain {node} --ignore-daemonsets --pod-selector=app=nodes-web --timeout=120s
!kubectl rollout status deployment/nodes-web --timeout=120s
!kubectl get pods -o wide

# %% [markdown] key="exercise-look"
# Look at the result: every `nodes-web` pod now runs on another labelled node, with new names (they are
# replacements, not moved pods), and the `nodes-agent` pod is still on the drained node.

# %% [markdown] key="exercise-uncordon"
# Maintenance done: **uncordon** the node so that it accepts pods again. Existing pods do not move back on
# their own; only new pods (a scale-up, a rollout, a replacement) will use it.

# %% key="uncordon"
!kubectl uncordon {node}
!kubectl get nodes
!kubectl get pods -l app=nodes-web -o wide

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
# The next cell applies the reference solution: it labels the workers, deploys, drains the busiest worker and
# uncordons it. The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# The scheduler filters the nodes for every new pod: a node whose labels do not match the nodeSelector, or
# that is cordoned, or that has a taint the pod does not tolerate, is out. Drain only deletes pods; it is the
# ReplicaSet that notices the missing replicas and creates new ones, and the scheduler that sends them to the
# nodes still allowed. DaemonSet pods tolerate the unschedulable taint, so their controller keeps them on
# every node, cordoned or not.

# %% [markdown] key="mistake-control-plane"
# ## Common mistakes
#
# **Draining the control plane.** On a single-node or multi-node minikube, the first node runs the
# cluster's own components. Drain a worker (`minikube-m02`, `kubelab-worker`), never the control plane.

# %% [markdown] key="mistake-forgot-uncordon"
# **Forgetting to uncordon.** A drained node stays unschedulable, and nothing tells you: the cluster just
# has less room. `kubectl get nodes` shows `SchedulingDisabled`.

# %% [markdown] key="mistake-required"
# **A nodeSelector only one node satisfies.** If the only labelled node is drained, the replacements have
# nowhere to go and stay Pending. Label more than one node, or use a preferred node affinity, which is a
# wish rather than a rule.

# %% [markdown] key="mistake-bare"
# **Bare pods on a node you drain.** Nothing recreates them; drain refuses to delete them without `--force`,
# and with it they are gone for good. Run your applications under Deployments, StatefulSets or DaemonSets.

# %% [markdown] key="reset-intro"
# ## Start again
#
# The next cell removes what you created in the namespace. Nodes belong to the whole cluster, so it also makes
# every node this lab labelled schedulable again and removes the label.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
