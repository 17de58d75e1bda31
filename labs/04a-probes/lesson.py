# %% [markdown] key="title"
# # Health probes: readiness, liveness and startup

# %% [markdown] key="objectives"
# A container that runs is not always a container that works: it may still be loading, it may be stuck, it may
# be busy with maintenance. Kubernetes cannot guess which; **probes** let the container tell it. By the end of
# this lab you will be able to:
#
# - use a **readiness** probe so that a Service sends traffic only to pods that can answer;
# - use a **liveness** probe so that the kubelet restarts a container that hangs;
# - protect a slow starter with a **startup** probe;
# - read the results where Kubernetes records them: the pod's conditions, the EndpointSlice, the restart count.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab and creates its namespace; the second makes that namespace kubectl's default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("04a-probes")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-counter"
# ## The supermarket's checkouts
#
# Think of the checkouts of a supermarket. A light above each till tells customers which ones are open: a cashier
# who is counting the drawer switches it off, and customers go to the other tills; nobody sends the cashier home
# for that. That light is a **readiness** probe. If a cashier falls asleep at an open till, the light stays on
# but the queue does not move: the manager must step in and replace them. That check is a **liveness** probe.
# And a new cashier gets a few minutes to set up before the manager starts judging: that is a **startup** probe.

# %% [markdown] key="concept-probes"
# ## Three probes, three questions
#
# The kubelet on each node runs the probes of the containers it starts, every `periodSeconds`:
#
# | probe | question | when it fails `failureThreshold` times in a row |
# |---|---|---|
# | `readinessProbe` | can it take traffic now? | the pod is marked not Ready and leaves the Service's EndpointSlice; it keeps running |
# | `livenessProbe` | is it still working? | the kubelet kills the container and starts it again (`restartCount` grows) |
# | `startupProbe` | has it finished starting? | as liveness; until it succeeds once, the other two probes wait |
#
# Each probe asks in one of four ways: `httpGet` (an answer from 200 to 399), `tcpSocket` (the port accepts a
# connection), `grpc` (the gRPC health service says SERVING) or `exec` (a command exits with 0). A port can be
# given as a number or by the name of one of the container's ports.

# %% [markdown] key="step-web"
# ## Readiness: traffic only to pods that can answer
#
# `probes-web` runs two nginx pods behind a Service. Its readiness probe asks for `/index.html` every two seconds;
# its liveness probe only checks that nginx accepts connections on port 80.

# %% key="apply-web"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: probes-web
  labels:
    app: probes-web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: probes-web
  template:
    metadata:
      labels:
        app: probes-web
    spec:
      containers:
        - name: web
          image: nginx:1.30
          ports:
            - name: http
              containerPort: 80
          readinessProbe:
            httpGet:
              path: /index.html
              port: http
            periodSeconds: 2
            failureThreshold: 1
          livenessProbe:
            tcpSocket:
              port: http
            periodSeconds: 5
            failureThreshold: 3
---
apiVersion: v1
kind: Service
metadata:
  name: probes-web
spec:
  selector:
    app: probes-web
  ports:
    - port: 80
      targetPort: http
EOF
kubectl rollout status deployment/probes-web --timeout=120s

# %% [markdown] key="step-slice"
# The EndpointSlice controller lists every pod the Service selects, with a `ready` condition copied from the pod's
# Ready condition. Only ready endpoints receive traffic.

# %% key="get-slice"
%%bash
kubectl get pods -l app=probes-web -o wide
kubectl get endpointslices -l kubernetes.io/service-name=probes-web -o jsonpath='{range .items[*].endpoints[*]}{.addresses[0]}{" ready="}{.conditions.ready}{"\n"}{end}'

# %% [markdown] key="exercise-intro"
# ## Exercise: take one pod out of rotation
#
# Take **one** pod of `probes-web` out of rotation without stopping it, as a cashier switches off the light to
# count the drawer: hide the page its readiness probe asks for. The next cell does it in the first pod and waits
# until that pod is no longer ready; then run the cell above again to look at the pods and the EndpointSlice.
#
# What do you expect for `READY` and `RESTARTS`? Why is this pod not restarted?

# %% key="exercise-drain" tags=["needs-data-plane"]
%%bash
POD=$(kubectl get pods -l app=probes-web -o jsonpath='{.items[0].metadata.name}')
kubectl exec "$POD" -- mv /usr/share/nginx/html/index.html /usr/share/nginx/html/index.html.away
kubectl wait "pod/$POD" --for=condition=Ready=false --timeout=60s
kubectl get pods -l app=probes-web

# %% [markdown] key="step-hung"
# ## Liveness: restart what hangs
#
# A program can hang without exiting (a deadlock, an endless loop): for the kubelet, a process that runs is fine.
# `probes-hung` imitates this: it creates `/tmp/healthy`, removes it after 10 seconds and then does nothing
# forever. Its liveness probe reads the file every 3 seconds.

# %% key="apply-hung"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: probes-hung
  labels:
    app: probes-hung
spec:
  terminationGracePeriodSeconds: 2
  containers:
    - name: app
      image: busybox:1.37
      command: ["sh", "-c", "touch /tmp/healthy; sleep 10; rm -f /tmp/healthy; sleep 3600"]
      livenessProbe:
        exec:
          command: ["cat", "/tmp/healthy"]
        initialDelaySeconds: 3
        periodSeconds: 3
        failureThreshold: 2
EOF

# %% [markdown] key="step-hung-watch"
# Wait about half a minute, then look: `RESTARTS` has grown, and the container's `lastState` says how the
# previous one ended. `describe` also shows the `Liveness probe failed` events (events are kept only for an hour;
# the restart count and the last state stay).

# %% key="watch-hung" tags=["needs-data-plane"]
%%bash
kubectl wait pod/probes-hung --for=jsonpath='{.status.containerStatuses[0].lastState.terminated.exitCode}'=137 --timeout=90s
kubectl get pod probes-hung
kubectl get pod probes-hung -o jsonpath='{.status.containerStatuses[0].lastState}{"\n"}'
kubectl describe pod probes-hung | tail -n 8

# %% [markdown] key="exercise-slow"
# ## Exercise: a slow starter
#
# `probes-slow` needs 20 seconds before it works (it then creates `/tmp/started`), and up to **30 seconds** on a
# busy node. Its liveness probe gives up after 10 seconds (2 × 5): on its own, it kills the app before it has
# finished starting, again and again.
#
# Complete the Deployment below with a `startupProbe` that runs `test -f /tmp/started` and allows at least
# 30 seconds (its budget is `initialDelaySeconds + failureThreshold × periodSeconds`), then run the cell.

# %% key="apply-slow"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: probes-slow
  labels:
    app: probes-slow
spec:
  replicas: 1
  selector:
    matchLabels:
      app: probes-slow
  template:
    metadata:
      labels:
        app: probes-slow
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: app
          image: busybox:1.37
          command: ["sh", "-c", "sleep 20; touch /tmp/started; exec sleep 3600"]
          livenessProbe:
            exec:
              command: ["test", "-f", "/tmp/started"]
            periodSeconds: 5
            failureThreshold: 2
EOF
kubectl rollout status deployment/probes-slow --timeout=90s

# %% key="get-slow"
!kubectl get pods -l app=probes-slow -o custom-columns=NAME:.metadata.name,READY:.status.containerStatuses[0].ready,STARTED:.status.containerStatuses[0].started,RESTARTS:.status.containerStatuses[0].restartCount

# %% key="picture"
lab.picture()

# %% [markdown] key="check-intro"
# ## Check your work
#
# Run the checks. Each line says what was verified in your cluster: ✓ passed, ✗ failed (with hints),
# ⚠ could not be checked (not your fault, and it costs no points), ⏭ skipped because this cluster cannot run it.
# The checks read what the kubelet and the EndpointSlice controller report, so a check about restarts needs
# containers that really run.

# %% key="check" tags=["check"]
lab.check()

# %% [markdown] key="stuck"
# ## Stuck?
#
# The next cell applies the reference solution, so that you can compare it with your own work
# (`kubectl get deployment probes-slow -o yaml`). The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# The kubelet runs the probes and writes their results into the pod's status: the Ready condition and each
# container's `ready`, `started` and `restartCount`. Everything else follows from that status. The EndpointSlice
# controller copies Ready into each endpoint's `ready` condition, and kube-proxy sends traffic only to ready
# endpoints. A Deployment counts only ready pods as available, so a rollout whose new pods never become ready
# stops before it has replaced the old ones.

# %% [markdown] key="mistake-same-check"
# ## Common mistakes
#
# **Liveness that checks what readiness checks.** When a dependency (a database, a page) is missing, every pod
# is restarted at once and the restarts do not help: the app is not broken, it is waiting. Liveness should fail
# only when a restart is the cure.

# %% [markdown] key="mistake-initial-delay"
# **A long `initialDelaySeconds` on liveness instead of a startup probe.** It waits the same time on every start,
# even a quick one, and a hang in the first minutes goes unnoticed. A startup probe stops waiting as soon as the
# app is up.

# %% [markdown] key="mistake-port"
# **A probe on the wrong port.** A readiness probe on a port where nothing listens keeps every pod out of
# rotation: the Service has no ready endpoints and answers nothing. A named port (`port: http`) follows the
# container's port when it changes.

# %% [markdown] key="mistake-threshold"
# **Thresholds that are too tight.** `failureThreshold: 1` on a liveness probe restarts a container after one
# slow answer. Leave liveness some slack; readiness can be quick, since it costs nothing but traffic.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell: it removes what you created and puts back the
# starting state.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
