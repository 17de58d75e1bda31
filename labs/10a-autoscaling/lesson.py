# %% [markdown] key="title"
# # Autoscaling: more pods when the load grows

# %% [markdown] key="objectives"
# A Deployment keeps the number of pods you wrote. But the load on a service changes over the day, and the
# right number of pods changes with it. In this lab Kubernetes chooses that number for you. By the end you
# will be able to:
#
# - read what pods and nodes really use with `kubectl top`;
# - explain why autoscaling on CPU needs **CPU requests**;
# - create a **HorizontalPodAutoscaler** (HPA) that keeps a Deployment between a minimum and a maximum of pods;
# - send load from inside the cluster, watch the HPA add pods, and read its status.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab and creates its namespace; the second makes it kubectl's default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("10a-autoscaling")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-checkouts"
# ## Opening more checkouts
#
# In the supermarket, the manager watches the queues. When every cashier is busy and the queues grow, more
# checkouts open; when the shop is quiet, cashiers go back to the shelves. The manager never closes the last
# checkout, and cannot open more checkouts than the shop has. The HPA is that manager: the queues are the CPU
# the pods use, the checkouts are the pods, and the minimum and maximum are written in the HPA.

# %% [markdown] key="concept-hpa"
# ## How the HPA decides
#
# 1. On every node, the kubelet measures the CPU and memory each container uses.
# 2. **metrics-server** collects these measures and serves them through the API server as the *resource
#    metrics API* (`metrics.k8s.io`). `kubectl top` reads it too.
# 3. Every 15 seconds, the HPA controller compares the pods' average CPU use with the target, as a
#    percentage of their **CPU request**: `desired = ceil(current pods × current use / target)`, kept between
#    `minReplicas` and `maxReplicas`. Then it changes the Deployment's `replicas`, like `kubectl scale`.
#
# A pod that requests no CPU has no percentage: the HPA cannot compute anything for it.

# %% [markdown] key="step-top"
# ## What really runs
#
# `kubectl top` shows the CPU (in millicores, `m`) and the memory each node and pod uses now. Right after a
# pod starts it may answer `metrics not available yet`: metrics-server collects every 15 seconds.

# %% key="top" tags=["needs-data-plane"]
!kubectl top nodes
!kubectl top pods --all-namespaces

# %% [markdown] key="step-web"
# ## The Deployment to scale
#
# `autoscale-web` runs nginx behind a Service of the same name. Each pod requests `50m` of CPU (a twentieth of
# a core) and `64Mi` of memory. There is no `replicas` field: from now on, the HPA decides how many pods run.

# %% key="apply-web"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: autoscale-web
  labels:
    app: autoscale-web
spec:
  selector:
    matchLabels:
      app: autoscale-web
  template:
    metadata:
      labels:
        app: autoscale-web
    spec:
      containers:
        - name: web
          image: nginx:1.30
          ports:
            - containerPort: 80
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
            limits:
              cpu: 200m
              memory: 64Mi
---
apiVersion: v1
kind: Service
metadata:
  name: autoscale-web
spec:
  selector:
    app: autoscale-web
  ports:
    - port: 80
      targetPort: 80
EOF
kubectl rollout status deployment/autoscale-web --timeout=120s

# %% [markdown] key="exercise-spec"
# ## Exercise: the autoscaler
#
# Create a HorizontalPodAutoscaler `autoscale-web` (API `autoscaling/v2`) for the Deployment `autoscale-web`:
#
# - at least `1` pod and at most `5`;
# - one metric: type `Resource`, name `cpu`, target type `Utilization` with `averageUtilization: 50` (half of
#   the CPU each pod requests).
#
# Write it in the next cell, above the `kubectl get` line, then run it. The command
# `kubectl autoscale deployment autoscale-web --cpu=50% --min=1 --max=5` creates the same object: try both
# and compare them with `kubectl get hpa autoscale-web -o yaml`.

# %% key="exercise-hpa"
%%bash
kubectl get hpa

# %% [markdown] key="step-status"
# The HPA's `status` is written by the controller, not by you. Its conditions say what it could do:
# `AbleToScale` (it found the Deployment), `ScalingActive` (it read the metrics), `ScalingLimited` (it hit the
# minimum or the maximum). Without load, the target column shows a small percentage and one pod runs.

# %% key="describe-hpa"
!kubectl describe hpa autoscale-web

# %% [markdown] key="step-load"
# ## Sending load
#
# The load must come from inside the cluster, through the Service. `autoscale-load` is a busybox loop that
# downloads the page again and again, without stopping.

# %% key="apply-load"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: autoscale-load
  labels:
    app: autoscale-load
spec:
  replicas: 1
  selector:
    matchLabels:
      app: autoscale-load
  template:
    metadata:
      labels:
        app: autoscale-load
    spec:
      containers:
        - name: load
          image: busybox:1.37
          command: ["sh", "-c", "while true; do wget -q -O /dev/null http://autoscale-web; done"]
          resources:
            requests:
              cpu: 100m
              memory: 16Mi
            limits:
              cpu: 500m
              memory: 16Mi
EOF
kubectl rollout status deployment/autoscale-load --timeout=120s

# %% [markdown] key="step-watch"
# ## Watching it scale
#
# The next cell shows the HPA every 15 seconds for two minutes. The CPU use climbs above 50%, the HPA raises
# `REPLICAS`, new pods start and share the load, and the percentage comes down again. Leave the load running
# until the checks below have passed.

# %% key="watch-hpa" tags=["needs-data-plane"]
%%bash
for i in 1 2 3 4 5 6 7 8; do
  kubectl get hpa autoscale-web --no-headers
  sleep 15
done
kubectl top pods -l app=autoscale-web
kubectl get pods -l app=autoscale-web

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
# The next cell applies the reference solution (it waits until the HPA has scaled, a minute or two), so that
# you can compare it with your own work (`kubectl get hpa autoscale-web -o yaml`). The cell after it runs the
# checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="step-stop"
# ## Stopping the load
#
# Stop the load generator. The HPA scales down much more slowly than it scales up: by default it waits until
# the use has stayed low for five minutes (`behavior.scaleDown.stabilizationWindowSeconds: 300`), so that a
# short pause does not remove pods that will be needed again. Look again in a few minutes.

# %% key="stop-load"
!kubectl scale deployment autoscale-load --replicas=0
!kubectl get hpa autoscale-web

# %% [markdown] key="debrief-why"
# ## Why it works
#
# Three parts worked together. The **kubelet** measured each container, **metrics-server** gathered the
# measures into the metrics API, and the **HPA controller** turned them into a number of pods, then wrote it
# into the Deployment. The Deployment and its ReplicaSet did the rest, as when you scale by hand. The
# percentage is always relative to the **request**: with a request of 50m, a pod using 100m is at 200%.

# %% [markdown] key="mistake-requests"
# ## Common mistakes
#
# **No CPU request.** `kubectl get hpa` shows `<unknown>/50%` and the condition `ScalingActive` is `False`
# with `missing request for cpu`. Every container of the pod needs a CPU request, sidecars included.

# %% [markdown] key="mistake-replicas"
# **Keeping `replicas` in the Deployment's manifest.** Each `kubectl apply` of the manifest puts the number
# back, and the HPA changes it again a moment later. Once an HPA manages a Deployment, leave `replicas` out.

# %% [markdown] key="mistake-metrics"
# **No metrics-server.** Without the metrics API, `kubectl top` answers `Metrics API not available` and the
# HPA cannot measure anything (`FailedGetResourceMetric`). minikube has it as the `metrics-server` addon;
# kubelab's own cluster runs it beside its real node.

# %% [markdown] key="mistake-limits"
# **A target above the limit.** If the CPU limit were 50m (equal to the request), a pod could never use more
# than 100% of its request, and a target of 150% would never be reached. Keep the target well below
# limit ÷ request.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell: it removes what you created and puts back the
# starting state.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
