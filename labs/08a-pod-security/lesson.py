# %% [markdown] key="title"
# # Pod security: non-root, read-only, and the restricted level

# %% [markdown] key="objectives"
# By default a container runs as root, with a set of Linux privileges it rarely needs, on a filesystem it can
# change. Most applications need none of that. In this lab you take those privileges away, one by one, and meet
# the rules Kubernetes uses to refuse pods that keep them. By the end you will be able to:
#
# - write a **securityContext**: `runAsNonRoot`, `runAsUser`, `allowPrivilegeEscalation`, `capabilities`,
#   `readOnlyRootFilesystem`, `seccompProfile`;
# - name the three **Pod Security Standards** (privileged, baseline, restricted) and what each refuses;
# - read how **Pod Security Admission** enforces them with namespace labels;
# - make a workload pass `restricted` and still run.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab and creates its namespace with the starting Deployment `secure-app`; the second
# makes the namespace kubectl's default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("08a-pod-security")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-badge"
# ## The staff badge
#
# In a supermarket, every employee gets a badge. The cashier's badge opens the staff room, not the safe; the
# butcher's opens the cold room, not the manager's office. Nobody gets the manager's keys "just in case". A
# container's **securityContext** is its badge: which user it runs as, which privileges it keeps, what it may
# write. The **Pod Security Standards** are the shop's rules for handing out badges, and **Pod Security
# Admission** is the guard at the staff entrance who checks them.

# %% [markdown] key="concept-standards"
# ## Three levels
#
# - **privileged**: no rules. Only for system components that manage the node itself.
# - **baseline**: refuses what is known to give a container power over its node: `privileged: true`, the host's
#   network, processes or IPC, `hostPath` volumes, host ports, extra Linux capabilities beyond a short list, an
#   `Unconfined` seccomp profile.
# - **restricted**: baseline, plus current hardening practice. Every container must set
#   `allowPrivilegeEscalation: false`, drop `ALL` capabilities (it may add back only `NET_BIND_SERVICE`), run as
#   non-root (`runAsNonRoot: true`, never `runAsUser: 0`) and use the `RuntimeDefault` (or a `Localhost`)
#   seccomp profile; volumes are limited to configMap, secret, emptyDir, projected, downwardAPI, persistent
#   volume claims, CSI and ephemeral volumes.
#
# `readOnlyRootFilesystem` is not required by any level, but it is cheap protection: an intruder cannot replace
# the programs in the image.

# %% [markdown] key="concept-admission"
# ## Pod Security Admission
#
# Since Kubernetes 1.25 the API server checks these levels itself (PodSecurityPolicy, the older mechanism, was
# removed in that release). A namespace chooses a level for each of three modes with labels:
#
# - `pod-security.kubernetes.io/enforce: <level>`: a pod that breaks the level is refused;
# - `pod-security.kubernetes.io/warn: <level>`: it is accepted, and kubectl prints a warning;
# - `pod-security.kubernetes.io/audit: <level>`: it is accepted, and the audit log records it.
#
# Admission judges pods when they are created. For a Deployment, it warns at once, but it is the ReplicaSet's
# pods that are refused: the Deployment exists and simply has no pods.

# %% [markdown] key="step-labels"
# ## Your namespace's rules
#
# Look at your namespace's labels. On a shared classroom cluster, your namespace already enforces `baseline` and
# you may not change its labels. On your own cluster, the next cell sets `enforce: baseline` and
# `warn: restricted`; in a classroom it is refused, and that is expected.

# %% key="label-namespace"
!kubectl label namespace {lab.namespace} pod-security.kubernetes.io/enforce=baseline pod-security.kubernetes.io/warn=restricted --overwrite
!kubectl get namespace {lab.namespace} --show-labels

# %% [markdown] key="step-refused"
# ## What baseline refuses
#
# Ask for a privileged container. `--dry-run=server` sends the pod through every admission check without storing
# it. Under `baseline`, the API server refuses it and says which rule it breaks: a refused pod never exists, so
# the error message is the whole story.

# %% key="try-privileged"
%%bash
kubectl apply --dry-run=server -f - <<'EOF' || true
apiVersion: v1
kind: Pod
metadata:
  name: secure-privileged
spec:
  containers:
    - name: app
      image: busybox:1.37
      command: ["sleep", "3600"]
      securityContext:
        privileged: true
EOF

# %% [markdown] key="step-starting"
# ## What restricted would refuse
#
# The starting Deployment `secure-app` writes the time into `/tmp/heartbeat` every 5 seconds, and stops if it
# cannot; its readiness probe reads that file. It passes `baseline`, but not `restricted`. Apply it again with a dry run: with `warn: restricted` on the namespace,
# kubectl prints each rule it breaks.

# %% key="dry-run-app"
!kubectl get deployment secure-app -o yaml | kubectl apply --dry-run=server -f -

# %% [markdown] key="exercise-spec"
# ## Exercise: harden secure-app
#
# Rewrite `secure-app` so that it meets **restricted** and still runs:
#
# 1. at pod level (`spec.template.spec.securityContext`): `runAsNonRoot: true`, `runAsUser: 1000`,
#    `runAsGroup: 1000` and `seccompProfile` of type `RuntimeDefault`;
# 2. in the container's `securityContext`: `allowPrivilegeEscalation: false`, `capabilities` with
#    `drop: ["ALL"]` and `readOnlyRootFilesystem: true`;
# 3. the app still writes `/tmp/heartbeat`: mount an `emptyDir` volume at `/tmp`.
#
# Why `runAsUser`? The busybox image runs as root; with `runAsNonRoot` alone, the kubelet refuses to start it.

# %% key="exercise-app"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: secure-app
  labels:
    app: secure-app
spec:
  replicas: 1
  selector:
    matchLabels:
      app: secure-app
  template:
    metadata:
      labels:
        app: secure-app
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: app
          image: busybox:1.37
          command: ["sh", "-c", "while date > /tmp/heartbeat; do sleep 5; done"]
          readinessProbe:
            exec:
              command: ["cat", "/tmp/heartbeat"]
            periodSeconds: 2
EOF
kubectl rollout status deployment/secure-app --timeout=90s

# %% [markdown] key="exercise-verify"
# Look at who the container runs as and whether it can still write where it should, and nowhere else.

# %% key="verify-app" tags=["needs-data-plane"]
%%bash
kubectl exec deploy/secure-app -- id
kubectl exec deploy/secure-app -- cat /tmp/heartbeat
kubectl exec deploy/secure-app -- touch /etc/intruder || true

# %% key="picture"
lab.picture()

# %% [markdown] key="check-intro"
# ## Check your work
#
# Run the checks. Each line says what was verified in your cluster: ✓ passed, ✗ failed (with hints),
# ⚠ could not be checked (not your fault, and it costs no points), ⏭ skipped because this cluster cannot run it.
# Your namespace may enforce only `baseline`, so the checker evaluates the `restricted` rules itself, on your
# Deployment's pod template, and reads from the pods whether the kubelet really started them.

# %% key="check" tags=["check"]
lab.check()

# %% [markdown] key="stuck"
# ## Stuck?
#
# The next cell applies the reference solution, so that you can compare it with your own work
# (`kubectl get deployment secure-app -o yaml`). The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# Two different parts of Kubernetes judged your pod. **Admission** in the API server compares the pod's
# securityContext with the namespace's level before the pod is stored; it reads only what is written. The
# **kubelet** applies the settings when it starts the container: it sets the user, drops the capabilities, mounts
# the root filesystem read-only and loads the seccomp profile. Some mistakes pass admission and fail only there:
# `runAsNonRoot` on an image that runs as root, or a read-only root filesystem where the app must write.

# %% [markdown] key="mistake-all"
# ## Common mistakes
#
# **`drop: ["all"]`.** Capability names are case-sensitive: restricted asks for `ALL` in capitals.

# %% [markdown] key="mistake-pod-level"
# **Looking for every field at pod level.** `runAsNonRoot`, `runAsUser`, `runAsGroup` and `seccompProfile` may be
# set for the whole pod; `allowPrivilegeEscalation`, `capabilities` and `readOnlyRootFilesystem` exist only per
# container. A container's value wins over the pod's.

# %% [markdown] key="mistake-deployment"
# **Expecting a Deployment to be refused.** Admission refuses pods. A Deployment whose template breaks
# `enforce` is stored, with a warning; its ReplicaSet then fails to create pods, and `kubectl describe
# replicaset` says why.

# %% [markdown] key="mistake-ports"
# **Binding port 80 as non-root.** Ports below 1024 need the `NET_BIND_SERVICE` capability, the only one
# restricted lets you add back. Most images made to run as non-root listen on 8080 instead.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell: it removes what you created and puts back the
# starting state.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
