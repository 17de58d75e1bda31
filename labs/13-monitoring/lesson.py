# %% [markdown] key="title"
# # Monitoring: InfluxDB, Telegraf and Grafana

# %% [markdown] key="objectives"
# A cluster that nobody watches fails quietly. In this lab you build a small monitoring stack from three
# programs: Telegraf measures every node, InfluxDB stores the measurements, Grafana draws them. By the end you
# will be able to:
#
# - run one pod per node with a DaemonSet;
# - keep a database's files on a PersistentVolumeClaim, and prove they survive the pod;
# - give three programs their passwords from Secrets, including inside a configuration file;
# - provision Grafana's data source and dashboard from ConfigMaps instead of clicking them together.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab. It also creates two Secrets with random passwords: one for InfluxDB (an admin
# and a `telegraf` user), one for Grafana's admin. The second cell makes the namespace kubectl's default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("13-monitoring")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-supermarket"
# ## Counting at every till
#
# A supermarket manager wants to know how busy each till is. An employee stands at every till and notes the
# queue every ten seconds: that is **Telegraf**, and since there must be one at each till, it runs as a
# **DaemonSet**, one pod per node. The notes go into a ledger ordered by time: **InfluxDB**, a *time series*
# database, where every point is a measurement at an instant. On the screen in the manager's office, **Grafana**
# turns the ledger into graphs. If the ledger burns each time the office is repainted, the history is gone:
# InfluxDB's files must live on a volume that outlives its pod.

# %% [markdown] key="concept-secrets"
# ## Passwords, three times
#
# InfluxDB needs its users' passwords when it first starts; Telegraf needs one to write; Grafana needs its own
# admin password and one to read from InfluxDB. All of them come from the two Secrets, by reference. Even the
# data source file Grafana reads at start holds no password: it says `$INFLUXDB_USER_PASSWORD`, and Grafana
# replaces it with the environment variable of that name.

# %% key="describe-secrets"
!kubectl describe secret monitoring-influxdb-credentials monitoring-grafana-credentials

# %% [markdown] key="step-influxdb"
# ## InfluxDB on a claim
#
# The image must be InfluxDB **1.x**: `influxdb:latest` is version 2, which ignores these settings. On its
# first start, with an empty data folder, the image creates the database named in `INFLUXDB_DB` and the users
# whose names and passwords come from the Secret (`envFrom`), and `INFLUXDB_HTTP_AUTH_ENABLED` makes it refuse
# queries without them. The claim asks the cluster for 1 GiB of storage; `Recreate` makes the old pod let go of
# the volume before the new one mounts it.

# %% key="apply-influxdb"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: monitoring-influxdb-data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: monitoring-influxdb
spec:
  replicas: 1
  strategy:
    type: Recreate
  selector:
    matchLabels:
      app: monitoring-influxdb
  template:
    metadata:
      labels:
        app: monitoring-influxdb
    spec:
      containers:
        - name: influxdb
          image: influxdb:1.12.3
          env:
            - name: INFLUXDB_DB
              value: telegraf
            - name: INFLUXDB_HTTP_AUTH_ENABLED
              value: "true"
          envFrom:
            - secretRef:
                name: monitoring-influxdb-credentials
          ports:
            - name: http
              containerPort: 8086
          readinessProbe:
            httpGet:
              path: /ping
              port: 8086
          volumeMounts:
            - name: data
              mountPath: /var/lib/influxdb
      volumes:
        - name: data
          persistentVolumeClaim:
            claimName: monitoring-influxdb-data
---
apiVersion: v1
kind: Service
metadata:
  name: monitoring-influxdb
spec:
  selector:
    app: monitoring-influxdb
  ports:
    - name: http
      port: 8086
      targetPort: 8086
EOF

# %% [markdown] key="step-claim"
# On minikube the default StorageClass creates a volume for the claim at once. A cluster without a storage
# provisioner leaves the claim `Pending`, and the pod with it, until an administrator provides a
# PersistentVolume (`lab.solve()` does that for you there).

# %% key="get-claim"
!kubectl get pvc monitoring-influxdb-data

# %% key="wait-influxdb" tags=["needs-data-plane"]
!kubectl rollout status deployment/monitoring-influxdb --timeout=120s

# %% [markdown] key="step-telegraf"
# ## Telegraf on every node
#
# Telegraf's settings are a file in a ConfigMap. `${INFLUXDB_USER_PASSWORD}` in it is read from the
# environment, which the DaemonSet fills from the Secret. `NODE_NAME` comes from the pod's own spec, so each
# measurement says which node it was taken on. Telegraf reaches InfluxDB by the Service's name.

# %% key="apply-telegraf"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: monitoring-telegraf
data:
  telegraf.conf: |
    [agent]
      interval = "10s"
      hostname = "${NODE_NAME}"

    [[outputs.influxdb]]
      urls = ["http://monitoring-influxdb:8086"]
      database = "telegraf"
      skip_database_creation = true
      username = "${INFLUXDB_USER}"
      password = "${INFLUXDB_USER_PASSWORD}"

    [[inputs.cpu]]
      percpu = false
      totalcpu = true

    [[inputs.mem]]

    [[inputs.system]]
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: monitoring-telegraf
spec:
  selector:
    matchLabels:
      app: monitoring-telegraf
  template:
    metadata:
      labels:
        app: monitoring-telegraf
    spec:
      containers:
        - name: telegraf
          image: telegraf:1.37-alpine
          env:
            - name: NODE_NAME
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
            - name: INFLUXDB_USER
              valueFrom:
                secretKeyRef:
                  name: monitoring-influxdb-credentials
                  key: INFLUXDB_USER
            - name: INFLUXDB_USER_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: monitoring-influxdb-credentials
                  key: INFLUXDB_USER_PASSWORD
          resources:
            requests:
              cpu: 20m
              memory: 32Mi
            limits:
              memory: 128Mi
          volumeMounts:
            - name: config
              mountPath: /etc/telegraf
              readOnly: true
      volumes:
        - name: config
          configMap:
            name: monitoring-telegraf
EOF

# %% key="wait-telegraf" tags=["needs-minikube"]
!kubectl rollout status daemonset/monitoring-telegraf --timeout=120s
!kubectl get pods -l app=monitoring-telegraf -o wide

# %% [markdown] key="step-query"
# After half a minute, ask InfluxDB how many CPU measurements it holds per node. The command runs inside the
# InfluxDB pod and uses the admin credentials of its own environment, so no password appears here.

# %% key="query-influxdb" tags=["needs-minikube"]
%%bash
sleep 30
kubectl exec deploy/monitoring-influxdb -- sh -c \
  'influx -username "$INFLUXDB_ADMIN_USER" -password "$INFLUXDB_ADMIN_PASSWORD" -database telegraf -execute "SELECT count(usage_idle) FROM cpu GROUP BY host"'

# %% [markdown] key="step-grafana-config"
# ## Grafana's data source and dashboard
#
# Grafana reads YAML files in `/etc/grafana/provisioning/datasources` and `.../dashboards` when it starts. The
# first ConfigMap declares the InfluxDB data source, with a fixed `uid` that the dashboard refers to. The
# second one holds a dashboard provider and the dashboard itself, a JSON file with one graph.

# %% key="apply-grafana-config"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: monitoring-grafana-datasources
data:
  influxdb.yaml: |
    apiVersion: 1
    datasources:
      - name: InfluxDB
        uid: influxdb-telegraf
        type: influxdb
        access: proxy
        url: http://monitoring-influxdb:8086
        user: $INFLUXDB_USER
        jsonData:
          dbName: telegraf
          httpMode: GET
        secureJsonData:
          password: $INFLUXDB_USER_PASSWORD
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: monitoring-grafana-dashboards
data:
  provider.yaml: |
    apiVersion: 1
    providers:
      - name: kubelab
        type: file
        options:
          path: /etc/grafana/provisioning/dashboards
  nodes.json: |
    {
      "uid": "kubelab-nodes",
      "title": "Nodes",
      "schemaVersion": 39,
      "refresh": "10s",
      "time": {"from": "now-15m", "to": "now"},
      "panels": [
        {
          "id": 1,
          "type": "timeseries",
          "title": "CPU busy per node (%)",
          "gridPos": {"h": 9, "w": 24, "x": 0, "y": 0},
          "datasource": {"type": "influxdb", "uid": "influxdb-telegraf"},
          "targets": [
            {
              "refId": "A",
              "rawQuery": true,
              "resultFormat": "time_series",
              "query": "SELECT 100 - mean(\"usage_idle\") FROM \"cpu\" WHERE $timeFilter GROUP BY time($__interval), \"host\""
            }
          ]
        }
      ]
    }
EOF

# %% [markdown] key="exercise-intro"
# ## Exercise: Grafana
#
# Write a Deployment and a Service that match this description:
#
# - Deployment `monitoring-grafana`, one replica, label `app: monitoring-grafana`, image `grafana/grafana:11.6.0`,
#   container port 3000, readiness probe `GET /api/health` on port 3000;
# - every key of Secret `monitoring-grafana-credentials` as environment variables (`envFrom`), which sets the
#   admin's name and password;
# - variables `INFLUXDB_USER` and `INFLUXDB_USER_PASSWORD` from the keys of the same names in Secret
#   `monitoring-influxdb-credentials` (`secretKeyRef`);
# - ConfigMap `monitoring-grafana-datasources` mounted on `/etc/grafana/provisioning/datasources`, and
#   `monitoring-grafana-dashboards` on `/etc/grafana/provisioning/dashboards` (whole folders, no `subPath`);
# - Service `monitoring-grafana`, `type: NodePort`, port 3000 to targetPort 3000.

# %% [markdown] key="exercise-how"
# Above the `kubectl get deployments` line of the next cell, write `kubectl apply -f - <<'EOF'`, your manifests
# (separated by `---`) and a line with only `EOF`, then run the cell.

# %% key="exercise-grafana"
%%bash
kubectl get deployments

# %% key="wait-grafana"
!kubectl rollout status deployment/monitoring-grafana --timeout=120s
!kubectl get service monitoring-grafana

# %% [markdown] key="step-open-grafana"
# ## Look at the dashboard
#
# On minikube, the next cell prints Grafana's address. Log in as `admin`, with the password of the Secret:
# the cell after prints it, so clear that cell's output once you have logged in. Open the dashboard "Nodes".

# %% key="grafana-url" tags=["needs-minikube"]
!minikube service monitoring-grafana --url -n {lab.namespace}

# %% key="grafana-password" tags=["needs-data-plane"]
!kubectl get secret monitoring-grafana-credentials -o jsonpath='{.data.GF_SECURITY_ADMIN_PASSWORD}' | base64 -d

# %% [markdown] key="step-crash"
# ## The crash test
#
# Delete the InfluxDB pod. The Deployment starts another one, which mounts the same claim and finds the old
# measurements there. The query shows points from before the new pod started, and a check compares the
# oldest point with the pod's creation time to prove it.

# %% key="crash-influxdb" tags=["needs-data-plane"]
%%bash
kubectl delete pod -l app=monitoring-influxdb --wait=true
kubectl rollout status deployment/monitoring-influxdb --timeout=120s
kubectl get pods -l app=monitoring-influxdb
kubectl exec deploy/monitoring-influxdb -- sh -c \
  'influx -username "$INFLUXDB_ADMIN_USER" -password "$INFLUXDB_ADMIN_PASSWORD" -database telegraf -precision rfc3339 -execute "SELECT first(usage_idle) FROM cpu"'

# %% [markdown] key="check-intro"
# ## Check your work
#
# The checks read your objects. Where containers really run, they also query InfluxDB through the API server
# (with the `telegraf` user's password from the Secret), log in to Grafana's API through its nodePort, and
# compare the oldest point with the age of the InfluxDB pod: run the crash test first.

# %% key="check" tags=["check"]
lab.check()

# %% [markdown] key="stuck"
# ## Stuck?
#
# The next cell applies the reference solution, including the crash test where containers run; compare it with
# yours (`kubectl get deployment monitoring-grafana -o yaml`). The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# Each program finds the next one by a Service name, and proves who it is with a password that only the
# Secrets hold. The DaemonSet controller keeps one Telegraf pod per node, also on nodes added later. InfluxDB's
# files live on the claim's volume, not in the container, so a new pod carries on where the old one stopped.
# Grafana is configured entirely by files: delete its pod and the same data source and dashboard come back.

# %% [markdown] key="mistake-latest"
# ## Common mistakes
#
# **`influxdb:latest`.** It is InfluxDB 2, with another API and other settings; the 1.x variables are ignored
# and nothing is created. Pin a 1.x tag.

# %% [markdown] key="mistake-first-start"
# **Changing a password later.** InfluxDB creates its users, and Grafana sets its admin password, only on the
# first start with empty storage. Changing the Secret afterwards changes nothing inside them.

# %% [markdown] key="mistake-inline"
# **A password in the data source file.** The ConfigMap is as readable as a Deployment. Write
# `$INFLUXDB_USER_PASSWORD` and give Grafana that variable from the Secret.

# %% [markdown] key="mistake-subpath"
# **Mounting single files with `subPath`.** They never follow changes to the ConfigMap. Mount whole folders.

# %% [markdown] key="mistake-emptydir"
# **No claim.** Everything works until the pod is replaced; then the database starts empty and the dashboard
# loses its history.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell. The Secrets keep their passwords.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
