# %% [markdown] key="title"
# # Rollouts: update without downtime, roll back in one command

# %% [markdown] key="objectives"
# Sooner or later, every application gets a new version. In this lab you update a running Deployment to a new
# image without interrupting it, choose how fast the change goes, read the rollout's history, and go back to
# the previous version in one command. By the end you will be able to:
#
# - explain *immutable infrastructure*, and why Kubernetes replaces Pods instead of upgrading them;
# - set a rolling-update strategy with `maxSurge` and `maxUnavailable`;
# - update an image and follow the rollout with `kubectl rollout status`;
# - read `kubectl rollout history`, and roll back with `kubectl rollout undo`.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab: it creates the namespace and a Deployment called `rollout-web`, four Pods of
# nginx 1.28. The second makes the namespace kubectl's default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("04-rollouts")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-immutable"
# ## Replace, do not repair
#
# There are two ways to upgrade a server. You can log in and change it in place: install the new version,
# edit a file, restart. After a few years of that, nobody knows exactly what is on it, and no two servers are
# quite the same. Or you can build a new, complete image of the new version, start fresh copies from it, and
# throw the old ones away. That second way is **immutable infrastructure**: what runs is never modified, only
# replaced.

# %% [markdown] key="concept-immutable-rollback"
# Containers make the second way cheap, and it pays off twice. Every Pod of a version is identical, because
# they all come from one image. And going back is easy: the previous image still exists, unchanged, so a
# rollback is just "run the old image again", not "undo a list of changes".

# %% [markdown] key="concept-conductor"
# Think of the orchestra again. To change the second violins during a concert, the conductor does not stop
# the music: one new violinist sits down and starts playing, then one of the old ones quietly leaves, and so
# on, until the whole section has changed. The audience hears music the whole time. That is a **rolling
# update**.

# %% [markdown] key="concept-rollout"
# ## How a Deployment rolls
#
# When you change a Deployment's Pod template (a new image, say), it creates a **new ReplicaSet** for the new
# template and scales it up while it scales the old one down, a few Pods at a time. The old ReplicaSet is
# kept, with zero Pods: it *is* the previous version, ready to come back. Two settings of
# `spec.strategy.rollingUpdate` set the pace:
#
# - `maxSurge`: how many Pods *above* the wanted number may exist during the update;
# - `maxUnavailable`: how many Pods *below* the wanted number may be missing.
#
# The defaults are 25% and 25%. With `maxSurge: 1` and `maxUnavailable: 0`, the rollout adds one new Pod,
# waits until it is ready, then removes one old Pod: never fewer Pods than you asked for.

# %% [markdown] key="step-look"
# ## The starting point
#
# Look at the Deployment, its single ReplicaSet (with `-o wide`, its image) and its Pods.

# %% key="get-start"
!kubectl rollout status deployment/rollout-web --timeout=120s
!kubectl get deployment,replicasets -o wide
!kubectl get pods -l app=rollout-web

# %% [markdown] key="step-strategy"
# ## Choose the pace
#
# Read the current strategy, then change it. `kubectl patch` changes only the fields you give it. Changing
# the strategy does not touch the Pod template, so nothing rolls yet.

# %% key="strategy-before"
%%bash
kubectl get deployment rollout-web -o jsonpath='{.spec.strategy}{"\n"}'

# %% key="set-strategy"
%%bash
kubectl patch deployment rollout-web -p '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}'
kubectl get deployment rollout-web -o jsonpath='{.spec.strategy}{"\n"}'

# %% [markdown] key="step-history-before"
# Every change to the template becomes a **revision**. For now, there is one.

# %% key="history-before"
!kubectl rollout history deployment/rollout-web

# %% [markdown] key="exercise-intro"
# ## Exercise: update to nginx 1.30
#
# Update the container `web` of `rollout-web` to the image `nginx:1.30`, then wait for the rollout to finish.
# Use `kubectl set image deployment/rollout-web web=nginx:1.30`, then
# `kubectl rollout status deployment/rollout-web --timeout=120s`. To record why you made the change, you can
# also set the annotation `kubernetes.io/change-cause` on the Deployment: `rollout history` shows it.

# %% [markdown] key="exercise-how"
# Write your commands in the next cell, above the `kubectl get` line, then run it. Afterwards, there should be
# two ReplicaSets: the new one with four Pods on 1.30, the old one with zero.

# %% key="exercise-update"
%%bash
kubectl get replicasets -o wide

# %% [markdown] key="step-after-update"
# Look at the result: the Pods have new names (they are new Pods, not the old ones upgraded), and the history
# now has two revisions. `--revision` shows the template of one of them.

# %% key="after-update"
!kubectl get pods -l app=rollout-web
!kubectl rollout history deployment/rollout-web
!kubectl rollout history deployment/rollout-web --revision=2

# %% [markdown] key="step-events"
# The Deployment's Events tell how the rollout went, step by step: with `maxSurge: 1` and
# `maxUnavailable: 0`, the new ReplicaSet grows by one Pod, then the old one shrinks by one, and so on.

# %% key="deployment-events"
!kubectl describe deployment rollout-web

# %% [markdown] key="step-version"
# On a cluster whose containers really run, ask one Pod which nginx it is: it should say 1.30.

# %% key="nginx-version" tags=["needs-data-plane"]
!kubectl exec deployment/rollout-web -- nginx -v

# %% [markdown] key="exercise-rollback"
# ## Exercise: roll back
#
# Suppose version 1.30 misbehaves. Go back to the previous revision with
# `kubectl rollout undo deployment/rollout-web`, and wait for that rollout too. Write the commands in the next
# cell, above the `kubectl get` line, and run it. Afterwards, the Pods run nginx 1.28 again.

# %% key="exercise-undo"
%%bash
kubectl get replicasets -o wide

# %% [markdown] key="step-after-undo"
# Look at the history now. Revision 1 is gone and a revision 3 appeared: `rollout undo` did not travel back
# in time, it made the old template the newest one, so the old ReplicaSet got a new number and its Pods back.
# This is why the checks compare images, never revision numbers.

# %% key="after-undo"
!kubectl rollout history deployment/rollout-web
!kubectl get replicasets -o wide

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
# The next cell sets the strategy, updates to nginx 1.30 and rolls back to 1.28, so that you can compare the
# result with yours (`kubectl get rs -o wide`). The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# You never touched a Pod. Changing the template made the Deployment controller create a ReplicaSet for
# nginx 1.30 and shift the Pods over, one at a time, as `maxSurge` and `maxUnavailable` allowed. The undo put
# the 1.28 template back; the controller found the ReplicaSet that already matched it and scaled it up again.
# The checks read those controller-owned facts: the ReplicaSets the Deployment owns, the image of each, which
# one has Pods now, and the Deployment's up-to-date and ready counts.

# %% [markdown] key="mistake-revisions"
# ## Common mistakes
#
# **Trusting revision numbers.** After an undo, "revision 1" no longer exists and the old version is
# "revision 3". Read images with `kubectl get rs -o wide`, and use `rollout history --revision=N` to see what a
# number holds before you undo to it (`kubectl rollout undo deployment/rollout-web --to-revision=N`).

# %% [markdown] key="mistake-fresh"
# **Deleting the Deployment to go back.** If you delete `rollout-web` and create it again with 1.28, the Pods
# do run 1.28, but the history is gone: there is nothing left to roll back to, and the checks see no update.
# Roll back with `rollout undo` (or by setting the old image again): the Deployment keeps its ReplicaSets.

# %% [markdown] key="mistake-unavailable"
# **Leaving the defaults on a small Deployment.** With `maxUnavailable: 25%`, a Deployment of four Pods may
# drop to three during an update. For a service that must never lose capacity, set `maxUnavailable: 0` and
# allow a surge instead.

# %% [markdown] key="mistake-stuck"
# **A rollout that never ends.** If the new Pods cannot start (a wrong image name, a nodeSelector no node
# matches), `rollout status` waits until it times out. With `maxUnavailable: 0`, the old Pods keep serving
# meanwhile. `kubectl describe pod` on a new Pod says why, and `rollout undo` ends the attempt.

# %% [markdown] key="mistake-latest"
# **Updating by re-pulling `latest`.** A Deployment only rolls when its template changes. Pushing a new image
# under the same tag changes nothing Kubernetes can see, and there is no old version to go back to. Give each
# version its own tag, as in lab 01.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell: it removes what you created and puts back the
# starting state.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
