# %% [markdown] key="title"
# # ConfigMaps and Secrets: configuration outside the image

# %% [markdown] key="objectives"
# The same image should run in a laptop test and in production; only its settings change. In this lab you
# keep settings in a ConfigMap and a password in a Secret, and hand both to a Deployment. By the end you will be
# able to:
#
# - create a ConfigMap and read it into a container as environment variables and as files;
# - hand a Secret's value to a container **by reference**, never by copying it;
# - explain what a Secret protects, and what it does not;
# - know when a change reaches a running pod, and when it needs a restart.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab. It also creates the Secret `config-db-credentials` with a random password that
# nobody has seen: not you, not the course authors. The second cell makes the namespace kubectl's default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("08-config-secrets")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-template"
# ## One template, many settings
#
# When a butcher falls ill, the supermarket's manager calls another one with the same profile: the replacement
# brings the skills, and the shop tells them which counter to work at today. A container image is the
# profile: the same for every copy, rebuilt only when the program changes. What changes between places (the
# database's name, the mode, a password) is handed to the container when it starts. Kubernetes keeps such
# settings in two kinds of objects: **ConfigMaps** for ordinary settings, **Secrets** for sensitive ones.

# %% [markdown] key="concept-etcd"
# ## Where passwords used to go
#
# In the ProjectAtomic cluster tutorial, the database password was typed on the `docker run` command line, and
# the application's passwords were stored by hand in etcd, under keys that start scripts read. Both leak
# easily: command lines show up in process lists and shell histories, and anyone who can read the store sees
# everything. A Secret is the Kubernetes object made for this. It is stored apart from pod specs, access to it
# can be granted separately (RBAC), and pods refer to it by name and key.

# %% [markdown] key="concept-base64"
# A Secret is **not encrypted** by default: its values are only base64-encoded, which anyone can decode.
# What protects it is who may read it, and the fact that its value appears nowhere else. The moment a password
# is copied into a Deployment, a Git repository or a notebook, the Secret protects nothing.

# %% [markdown] key="step-secret"
# ## The Secret you were given
#
# `describe` shows the Secret's keys and the size of each value, never the values themselves. Do not print
# the password: you do not need to know it, and that is the point.

# %% key="describe-secret"
!kubectl get secret config-db-credentials
!kubectl describe secret config-db-credentials

# %% [markdown] key="step-configmap"
# ## A ConfigMap
#
# A ConfigMap holds keys and values. A value can be one word (`APP_MODE`) or a whole file: `app.properties`
# below holds two lines, written as a YAML block with `|`. Create it.

# %% key="apply-configmap"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: config-app
data:
  APP_MODE: production
  DB_HOST: dns-db
  DB_USER: app
  app.properties: |
    greeting=Hola
    page.size=20
EOF

# %% key="describe-configmap"
!kubectl describe configmap config-app

# %% [markdown] key="concept-consume"
# ## Three ways into a container
#
# - **All keys as variables**: `envFrom` with `configMapRef` (or `secretRef`) makes one environment variable
#   per key.
# - **One key as one variable**: `env[].valueFrom` with `configMapKeyRef` (or `secretKeyRef`) picks one key
#   and names the variable as you like.
# - **Keys as files**: a `configMap` (or `secret`) volume shows each key as a file, mounted where you choose.
#
# Variables are read once, when the container starts. Mounted files follow changes to the ConfigMap within
# about a minute, except with `subPath`, which never refreshes.

# %% [markdown] key="exercise-intro"
# ## Exercise: a Deployment that reads its settings
#
# Write a Deployment that matches this description:
#
# - name `config-app`, one replica, label `app: config-app`;
# - one container `app`, image `nginx:1.30-alpine`, port 80;
# - every key of ConfigMap `config-app` as environment variables (`envFrom`);
# - a variable `DB_PASSWORD` taken from key `password` of Secret `config-db-credentials` (`secretKeyRef`);
# - a volume `config` of type `configMap` (ConfigMap `config-app`), mounted read-only at
#   `/usr/share/nginx/html/config`.

# %% [markdown] key="exercise-command"
# So that the result can be seen from outside, give the container this command and arguments. At start, it
# writes the mode and a SHA-256 fingerprint of the password (never the password itself) into the web folder,
# then starts nginx:
#
# ```yaml
# command: ["sh", "-c"]
# args:
#   - |
#     cd /usr/share/nginx/html
#     printf '%s' "$DB_PASSWORD" | sha256sum | cut -d' ' -f1 > password.sha256
#     printf '%s' "$APP_MODE" > mode.txt
#     exec nginx -g 'daemon off;'
# ```

# %% [markdown] key="exercise-how"
# Above the `kubectl get deployments` line of the next cell, write `kubectl apply -f - <<'EOF'`, your manifest and
# a line with only `EOF`, then run the cell.

# %% key="exercise-deployment"
%%bash
kubectl get deployments

# %% [markdown] key="step-wait"
# Wait for the rollout. If a name or a key is wrong, the pod stays in `CreateContainerConfigError`, and
# `kubectl describe pod` names what is missing.

# %% key="wait-deployment"
!kubectl rollout status deployment/config-app --timeout=120s
!kubectl describe deployment config-app

# %% [markdown] key="step-look-inside"
# ## What the container received
#
# `printenv` shows the variables that came from the ConfigMap, and `ls` the files of the mounted volume.
# The last command prints the password's fingerprint, which you can compare with the Secret's without either
# value ever appearing on screen.

# %% key="inside-env" tags=["needs-data-plane"]
!kubectl exec deploy/config-app -- printenv APP_MODE DB_HOST DB_USER
!kubectl exec deploy/config-app -- ls /usr/share/nginx/html/config
!kubectl exec deploy/config-app -- cat /usr/share/nginx/html/config/app.properties
!kubectl exec deploy/config-app -- cat /usr/share/nginx/html/password.sha256

# %% key="secret-fingerprint" tags=["needs-data-plane"]
%%bash
kubectl get secret config-db-credentials -o jsonpath='{.data.password}' | base64 -d | sha256sum | cut -d' ' -f1

# %% [markdown] key="step-change"
# ## Changing a setting
#
# Change `APP_MODE` in the ConfigMap. The file `config/APP_MODE` of the mounted folder follows within about a
# minute, but the variable does not change until the container starts again: `rollout restart` replaces the
# pods, and the new ones read the new value.

# %% key="change-mode"
%%bash
kubectl patch configmap config-app --type merge -p '{"data":{"APP_MODE":"maintenance"}}'
kubectl rollout restart deployment/config-app
kubectl rollout status deployment/config-app --timeout=120s
kubectl get pods

# %% key="see-mode" tags=["needs-data-plane"]
!kubectl exec deploy/config-app -- printenv APP_MODE
!kubectl exec deploy/config-app -- cat /usr/share/nginx/html/mode.txt

# %% [markdown] key="check-intro"
# ## Check your work
#
# The checks read your objects and the Secret's value, compare them, and never show that value. Run them.

# %% key="check" tags=["check"]
lab.check()

# %% [markdown] key="stuck"
# ## Stuck?
#
# The next cell applies the reference solution; compare it with yours (`kubectl get deployment config-app -o
# yaml`). The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# When the kubelet starts a container, it reads the ConfigMap and the Secret through the API server and
# builds the environment and the volume's files from them. The Deployment itself holds only names and keys:
# anyone who can read it learns that the app uses `config-db-credentials`, not what the password is. Reading
# the value needs permission on the Secret, which you can grant to fewer people.

# %% [markdown] key="mistake-copied"
# ## Common mistakes
#
# **Copying the password into `env[].value`.** It works, and it puts the password in the Deployment, in every
# `kubectl get -o yaml`, and in Git. The check compares every literal value with every Secret in the namespace.

# %% [markdown] key="mistake-base64"
# **`data` versus `stringData`.** Under `data`, values must be base64-encoded; under `stringData`, you write them
# as they are and the API server encodes them. A plain word under `data` is refused, or decoded into garbage.

# %% [markdown] key="mistake-restart"
# **Expecting variables to change.** Environment variables are fixed when the container starts. After changing
# a ConfigMap or a Secret, restart the pods (`kubectl rollout restart`), or read the settings from mounted files.

# %% [markdown] key="mistake-subpath"
# **`subPath` mounts.** Mounting one key with `subPath` places a single file, but that file never follows later
# changes to the ConfigMap. Mount the whole volume on a folder when the settings may change.

# %% [markdown] key="mistake-missing"
# **A wrong name or key.** A pod that refers to a missing ConfigMap, Secret or key does not start:
# `CreateContainerConfigError`. `kubectl describe pod` names what is missing. Mark a reference `optional: true`
# only when the application really copes without it.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell. The Secret keeps its password.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
