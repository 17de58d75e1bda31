# %% [markdown] key="title"
# # Deployments: replicas, self-healing and scaling

# %% [markdown] key="objectives"
# A Pod on its own is fragile: if it disappears, nobody brings it back. In this lab you hand your Pods to a
# Deployment, which keeps the number you asked for running, whatever happens. By the end you will be able to:
#
# - create a Deployment and follow it with `kubectl rollout status`;
# - find the ReplicaSet it owns, and the Pods that ReplicaSet owns;
# - watch Kubernetes replace a Pod you delete (self-healing);
# - scale a Deployment, and explain why `kubectl scale` and your manifest can disagree.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab and creates its namespace; the second makes that namespace kubectl's default.
# This lab starts from an empty namespace: you create everything yourself.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("03-deployments")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-butcher"
# ## The manager and the butcher's counter
#
# Picture the butcher's counter of a big supermarket. The manager has decided that three butchers work there
# at all times. When one of them falls ill, the manager does not wait for a recovery: she calls in another
# butcher with the same skills, and the customers barely notice. That is **high availability**.

# %% [markdown] key="concept-butcher-mapping"
# In Kubernetes, that manager is a **ReplicaSet**: it keeps a set number of identical Pods running. The "same
# skills" are the **Pod template**: every replacement is made from it, so any Pod is as good as another.
# A Pod that fails is not nursed back to health; a fresh one takes its place.

# %% [markdown] key="concept-layers"
# ## Three layers
#
# You rarely create a ReplicaSet yourself. You create a **Deployment**, which creates a ReplicaSet, which
# creates the Pods. The ReplicaSet keeps the count; the Deployment adds versions on top: when you change the
# template (a new image, say), it creates a new ReplicaSet and moves the Pods over gradually.
# Each object records who created it in `metadata.ownerReferences`.

# %% [markdown] key="concept-desired-state"
# This is the desired state of the Pods lab again, one level up. `replicas: 3` is a wish written in the spec.
# The ReplicaSet controller compares it with the Pods that exist, over and over, and creates or deletes Pods
# until the two match. You describe the result; the controllers do the work.

# %% [markdown] key="step-create"
# ## Create the Deployment
#
# Under `spec` there are three parts: `replicas`, how many Pods you want; `selector`, which Pods belong to this
# Deployment; and `template`, the Pod to copy (a Pod manifest without a name: each copy gets its own).
# The template's labels must match the selector, or the API server refuses the Deployment.

# %% key="apply-deployment"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: deploy-web
  labels:
    app: deploy-web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: deploy-web
  template:
    metadata:
      labels:
        app: deploy-web
    spec:
      containers:
        - name: web
          image: nginx:1.30
          ports:
            - containerPort: 80
EOF

# %% [markdown] key="step-rollout-status"
# `kubectl rollout status` waits until every replica is ready, then returns. In the table that follows, READY
# counts the ready Pods out of those wanted, UP-TO-DATE those that run the current template, and AVAILABLE
# those that have been ready long enough to serve.

# %% key="rollout-status"
!kubectl rollout status deployment/deploy-web --timeout=120s
!kubectl get deployment deploy-web

# %% [markdown] key="step-explain"
# Not sure what a field means? Ask the cluster: `kubectl explain` documents every field of every kind.

# %% key="explain-replicas"
!kubectl explain deployment.spec.replicas

# %% [markdown] key="step-replicaset"
# ## The ReplicaSet behind it
#
# There is one ReplicaSet, named after the Deployment plus a hash. `-o wide` shows its selector, which holds a
# label you never wrote: `pod-template-hash`. The Deployment computes it from the Pod template and adds it to
# the ReplicaSet and to its Pods, so that the Pods of two versions of the template never get mixed up.

# %% key="get-replicaset"
!kubectl get replicasets -o wide
!kubectl get pods -l app=deploy-web --show-labels

# %% [markdown] key="step-owners"
# Now follow the chain of ownership. The first command prints each Pod with its owner, the second the
# ReplicaSet with its owner: Pod → ReplicaSet → Deployment. Each object was created by the one above it, and
# deleting an owner deletes what it owns.

# %% key="get-owners"
%%bash
kubectl get pods -l app=deploy-web -o jsonpath='{range .items[*]}{.metadata.name}{" -> "}{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}{"\n"}{end}'
kubectl get replicasets -l app=deploy-web -o jsonpath='{range .items[*]}{.metadata.name}{" -> "}{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}{"\n"}{end}'

# %% [markdown] key="step-describe-rs"
# `kubectl describe` tells the ReplicaSet's story: how many Pods it wants and has, and Events such as
# "Created pod: deploy-web-…". Keep those events in mind: you are about to add some.
# Below it, the picture of your namespace: three Pods, placed on the nodes by the scheduler.

# %% key="describe-replicaset"
!kubectl describe replicaset -l app=deploy-web

# %% key="picture"
lab.picture()

# %% [markdown] key="step-self-healing"
# ## Self-healing: a butcher falls ill
#
# Time to test the manager. The next cell picks the first Pod of the Deployment and deletes it, as if its
# node had failed. `--wait=true` returns once the Pod is really gone.

# %% key="delete-pod"
%%bash
POD=$(kubectl get pods -l app=deploy-web -o jsonpath='{.items[0].metadata.name}')
kubectl delete pod "$POD" --wait=true

# %% [markdown] key="step-replacement"
# The ReplicaSet saw two Pods left for a desired three, and made a new one from the template. Look at the AGE
# column: one Pod is only seconds old. In a terminal, `kubectl get pods -w` would show it live (Ctrl-C stops
# it); in a notebook, wait with `rollout status` instead, since a watch never ends.

# %% key="get-replacement"
!kubectl rollout status deployment/deploy-web --timeout=120s
!kubectl get pods -l app=deploy-web -o wide

# %% [markdown] key="step-events"
# The events of the namespace tell the same story: the ReplicaSet reports one more "Created pod" than before.
# This is also the evidence the checks look for at the end of the lab. Events expire after about an hour.

# %% key="get-events"
!kubectl get events --field-selector involvedObject.kind=ReplicaSet --sort-by=.lastTimestamp

# %% [markdown] key="step-new-pod"
# Notice what self-healing does **not** do: it does not bring the old Pod back. The replacement is a new Pod,
# with a new name and, most likely, a new IP address. Anything that talked to the old Pod by its address has
# lost it. The Services lab solves that with a stable address in front of the Pods.

# %% [markdown] key="exercise-intro"
# ## Exercise: scale to five
#
# Saturday morning: the manager wants five butchers at the counter instead of three. Scale `deploy-web` to
# **5 replicas**. The quick way is `kubectl scale` (see `kubectl scale --help`); the declarative way is to
# change `replicas` in the manifest and apply it again. Either is fine here.

# %% [markdown] key="exercise-how"
# Write your command in the next cell, above the `kubectl get deployment` line, and run it. Then run the cell
# after it: it waits for the new Pods and lists them.

# %% key="exercise-scale"
%%bash
kubectl get deployment deploy-web

# %% key="exercise-wait"
!kubectl rollout status deployment/deploy-web --timeout=120s
!kubectl get replicasets,pods -l app=deploy-web

# %% [markdown] key="exercise-same-replicaset"
# Look at the ReplicaSet: the same name as before, now wanting 5. Scaling does not touch the template, so no
# new ReplicaSet is needed: the existing one simply creates two more Pods. A new ReplicaSet only appears when
# the template changes, for example with a new image. The picture now shows five Pods.

# %% key="picture-after-scale"
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
# It happens to everyone. The next cell does the whole lab for you: it applies the Deployment, deletes one of
# its Pods, and scales it to five. Then the cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# Three controllers kept working for you. The Deployment controller made a ReplicaSet from your template. The
# ReplicaSet controller counted the Pods matching its selector, and filled the gap each time you deleted one
# or raised `replicas`. The scheduler placed every new Pod on a node. Nobody ran a "restart" command: every
# action came from comparing the desired state with the real one.

# %% [markdown] key="mistake-drift"
# ## Common mistakes
#
# **Scaling, then applying the old manifest.** `kubectl scale` changes `spec.replicas` in the cluster, not in
# your file. Apply a manifest that still says `replicas: 3`, and you are back to three Pods. Keep your
# manifest the source of truth: change the file and apply it, or leave `replicas` out of the file when
# someone else (you, by hand, or an autoscaler) does the scaling.

# %% [markdown] key="mistake-selector"
# **A selector that does not match the template.** The API server refuses the Deployment ("selector does not
# match template labels"). Note also that a Deployment's selector cannot change after creation: to change it,
# delete the Deployment and create it again.

# %% [markdown] key="mistake-pending"
# **Pods that stay Pending.** READY stays below the number wanted and `rollout status` times out. Run
# `kubectl describe pod` on one of the Pods: a `FailedScheduling` event names the reason, such as a
# `nodeSelector` that no node satisfies, or resource requests larger than what the nodes have left.
# On a one-node minikube, every replica competes for the same machine.

# %% [markdown] key="mistake-delete-pods"
# **Deleting Pods to stop an application.** They come straight back: that is the whole point. To stop it,
# scale it to zero (`kubectl scale deployment deploy-web --replicas=0`), or delete the Deployment, which takes
# its ReplicaSet and Pods with it.

# %% [markdown] key="mistake-edit-rs"
# **Changing the ReplicaSet instead of the Deployment.** The Deployment owns it: change its replica count and
# the Deployment sets it back. Always change the Deployment. And pin the image version in the template, never
# `latest`: a replacement Pod must be identical to the one it replaces.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell: it removes what you created and leaves the
# namespace as it was at the start.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
