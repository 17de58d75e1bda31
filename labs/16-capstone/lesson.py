# %% [markdown] key="title"
# # Capstone: a whole web stack behind one IP

# %% [markdown] key="objectives"
# This is the course's final project, modelled on 42's **ft_services**: a small hosting company's whole stack in
# one cluster. It is a brief more than a tutorial: the requirements say what must exist, the milestones give the
# order and the commands to look around, and the checks tell you what is still missing. Everything you need was
# in the earlier labs. By the end you will have:
#
# - eight components, each in its own Deployment and each from an image you built: nginx, WordPress, MySQL,
#   phpMyAdmin, an FTPS server, InfluxDB, Telegraf and Grafana;
# - one external IP for the whole stack, shared by five LoadBalancer Services (MetalLB);
# - HTTPS with a redirect from HTTP, a 307 redirect to WordPress, phpMyAdmin behind nginx, and SSH into nginx's
#   container;
# - Telegraf watching every service, and a Grafana dashboard for each;
# - every password in a Secret, never in a manifest;
# - databases whose data survives their pod, and containers that come back when their process dies or hangs.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab: it creates the namespace and five Secrets with generated passwords
# (`capstone-mysql`, `capstone-ftps`, `capstone-influxdb`, `capstone-grafana`, `capstone-ssh`). Nobody has seen
# these passwords, and your manifests will only ever name them. The second cell makes the namespace kubectl's
# default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("16-capstone")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-building"
# ## One street address, many doors
#
# Think of an office building: one street address, and behind it several doors, each numbered, each leading to a
# different company. Visitors only need the address and a door number. The stack is that building: one IP
# address, and one port per service. MetalLB hands out the address; each LoadBalancer Service claims its doors,
# and MetalLB lets several Services share one address as long as they carry the same **sharing key** and never
# claim the same door twice.
#
# Inside, some rooms have no door to the street at all: the databases. Only the other components talk to them,
# through ClusterIP Services.

# %% [markdown] key="architecture"
# ## The architecture
#
# ```
#                          one external IP (MetalLB)
#   ┌──────────┬──────────────┬───────────────┬──────────────┬──────────────┐
#   │ 80,443,22│ 5050         │ 5000          │ 21, 21000-04 │ 3000         │
#   ▼          ▼              ▼               ▼              ▼
#  nginx ──► WordPress      phpMyAdmin      FTPS           Grafana
#   │  307 /wordpress          ▲  │                         │
#   └──── proxy /phpmyadmin/ ──┘  │                         │
#              │                  │                         │
#              ▼                  ▼                         ▼
#            MySQL  ◄─────────────┘                      InfluxDB ◄── Telegraf
#       (ClusterIP, claim)                          (ClusterIP, claim)   (watches every service)
# ```

# %% [markdown] key="requirements"
# ## Requirements
#
# Every object is called `capstone-<component>` (`capstone-nginx`, `capstone-wordpress`, `capstone-mysql`,
# `capstone-phpmyadmin`, `capstone-ftps`, `capstone-influxdb`, `capstone-telegraf`, `capstone-grafana`), with the
# label `app: capstone-<component>`.
#
# 1. **Workloads**: one Deployment per component (`capstone-telegraf` too), each running **an image you built**
#    for that service (`kubelab.local/ft-<component>:1.0`, with `imagePullPolicy: Never`), never a public image,
#    every image **pinned** (a version tag or a digest, never `latest`), and every container with a **liveness
#    probe**, so that a hung process gets its container restarted too.
# 2. **Services**: LoadBalancer for nginx (80, 443, 22), WordPress (5050), phpMyAdmin (5000), FTPS (21 and its
#    passive ports) and Grafana (3000), all with the annotation `metallb.io/allow-shared-ip: capstone` (and the
#    same key with the old prefix, `metallb.universe.tf/allow-shared-ip`, for minikube's MetalLB); ClusterIP for
#    MySQL (3306) and InfluxDB (8086). No NodePort Services.
# 3. **nginx**: its configuration in ConfigMap `capstone-nginx`, its certificate in TLS Secret `capstone-tls`, both
#    mounted as volumes. Port 80 answers every request with a **301** to `https://`; on 443, `/wordpress` answers
#    with a **307** to `http://<IP>:5050/`, and `/phpmyadmin/` is a **reverse proxy** to phpMyAdmin. Port 22 is
#    an **SSH** server in the same container, its account from Secret `capstone-ssh`.
# 4. **Data**: MySQL keeps `/var/lib/mysql` and InfluxDB `/var/lib/influxdb` on PersistentVolumeClaims
#    `capstone-mysql` and `capstone-influxdb`.
# 5. **Credentials**: every password comes from the generated Secrets through `secretKeyRef`; no password
#    appears in a manifest.
# 6. **FTPS**: explicit TLS on port 21 with the same certificate; the passive range set on the server and every
#    passive port exposed with `port` = `targetPort`.
# 7. **Monitoring**: Telegraf watches every service and writes to InfluxDB's database `capstone` as user
#    `telegraf`. Grafana, with its admin account from `capstone-grafana`, gets an InfluxDB data source (reading as
#    user `grafana`) and **one dashboard per service**, all from provisioning files in ConfigMaps.
# 8. **Crash tests**: kill a container's main process and see it restarted; delete the MySQL pod and see
#    WordPress keep its content.

# %% [markdown] key="milestone-images"
# ## Before the milestones: one image per service
#
# ft_services asks for an image per service, built by you, and run without any registry: the skill of lab 01,
# eight times. The course gives a Dockerfile for each service in the lab's `images` folder; the next cell copies
# them into a folder `capstone-images` beside this notebook, where you can read them, change them, or replace them
# with your own. Each starts `FROM` an image of the course's catalog (`labs/images.yaml`), pinned, and adds what
# the stack needs: nginx's gets an SSH server and a start script that runs `sshd` beside nginx.

# %% key="copy-dockerfiles"
!mkdir -p capstone-images && cp -R "{lab.lab.path}/images/." capstone-images/
!cat capstone-images/nginx/Dockerfile capstone-images/nginx/start.sh

# %% [markdown] key="build-images"
# Build each one into the cluster, named `kubelab.local/ft-<service>:1.0`. On minikube, `minikube image build
# --all` builds where the nodes' runtime keeps its images, on every node, as in lab 01 (the build downloads the
# base images and packages, so it needs the internet). On kubelab's embedded cluster, build them with its
# builder, the way lab 01 shows. The manifests then say `imagePullPolicy: Never`: the node must use its own copy
# and never ask a registry, which has never heard of these names.

# %% key="build-all-images" tags=["needs-minikube"]
%%bash
for service in nginx wordpress mysql phpmyadmin ftps influxdb grafana telegraf; do
  minikube image build --all -t kubelab.local/ft-$service:1.0 capstone-images/$service
done
minikube image ls | grep kubelab.local/ft-

# %% [markdown] key="build-images-embedded"
# On kubelab's embedded cluster, `kubelab images build-context` builds each one with buildah into the real node,
# as in lab 01. Its `RUN` steps have no network: `apt-get install` there finds the Debian packages the course's
# Dockerfiles install in a copy the cluster keeps, so nginx's SSH server is installed as it would be anywhere.
# Grafana and Telegraf are left out: the embedded cluster has no base image for them (Debian packages neither),
# so their pods start only on minikube.

# %% key="build-images-embedded-run" tags=["needs-data-plane"]
%%bash
for service in nginx wordpress mysql phpmyadmin ftps influxdb; do
  kubelab images build-context -t kubelab.local/ft-$service:1.0 capstone-images/$service
done

# %% [markdown] key="milestone-secrets"
# ## Milestone 1: the secrets
#
# Look at the generated Secrets: `describe` shows their keys and sizes, never the values. Then make the TLS
# certificate nginx and FTPS will share: a self-signed one is enough here (browsers will warn about it).

# %% key="describe-secrets"
!kubectl describe secrets -l kubelab.dev/lab=16-capstone

# %% key="make-certificate"
%%bash
openssl req -x509 -nodes -newkey rsa:2048 -days 365 -subj /CN=capstone.local -keyout /tmp/capstone.key -out /tmp/capstone.crt 2>/dev/null
kubectl create secret tls capstone-tls --cert=/tmp/capstone.crt --key=/tmp/capstone.key --dry-run=client -o yaml | kubectl apply -f -
rm -f /tmp/capstone.key /tmp/capstone.crt
kubectl get secret capstone-tls

# %% [markdown] key="milestone-storage"
# ## Milestone 2: storage and MySQL
#
# A claim needs a volume. minikube has a default StorageClass that makes one for each claim. A cluster without
# one (kubelab's embedded cluster) needs a PersistentVolume per claim, made by hand as in the volumes lab: the
# next cell does it only when no default class exists.

# %% key="volumes-if-needed"
%%bash
kubectl get storageclass
if ! kubectl get storageclass -o jsonpath='{.items[*].metadata.annotations}' | grep -q '"storageclass.kubernetes.io/is-default-class":"true"'; then
  NS=$(kubectl config view --minify -o jsonpath='{..namespace}')
  for claim in capstone-mysql capstone-influxdb; do
    if [ "$(kubectl get pv $claim-$NS -o jsonpath='{.status.phase}' 2>/dev/null)" = Released ]; then
      kubectl delete pv $claim-$NS
    fi
    kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolume
metadata:
  name: $claim-$NS
spec:
  storageClassName: ""
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  claimRef:
    namespace: $NS
    name: $claim
  hostPath:
    path: /data/kubelab/$NS/$claim
    type: DirectoryOrCreate
EOF
  done
fi

# %% [markdown] key="milestone-mysql"
# MySQL is the model for the other components: a claim, a Deployment with `strategy: Recreate` (two MySQL pods
# must never share the data folder, even during an update), your image with `imagePullPolicy: Never`, passwords
# by `secretKeyRef`, probes, and a ClusterIP Service.

# %% key="apply-mysql"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: capstone-mysql
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: capstone-mysql
spec:
  replicas: 1
  strategy:
    type: Recreate
  selector:
    matchLabels:
      app: capstone-mysql
  template:
    metadata:
      labels:
        app: capstone-mysql
    spec:
      containers:
        - name: mysql
          image: kubelab.local/ft-mysql:1.0
          imagePullPolicy: Never
          env:
            - name: MYSQL_DATABASE
              value: wordpress
            - name: MYSQL_USER
              value: wordpress
            - name: MYSQL_ROOT_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: capstone-mysql
                  key: root-password
            - name: MYSQL_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: capstone-mysql
                  key: password
          ports:
            - name: mysql
              containerPort: 3306
          livenessProbe:
            tcpSocket:
              port: mysql
            initialDelaySeconds: 30
          readinessProbe:
            tcpSocket:
              port: mysql
          volumeMounts:
            - name: data
              mountPath: /var/lib/mysql
      volumes:
        - name: data
          persistentVolumeClaim:
            claimName: capstone-mysql
---
apiVersion: v1
kind: Service
metadata:
  name: capstone-mysql
spec:
  selector:
    app: capstone-mysql
  ports:
    - name: mysql
      port: 3306
      targetPort: mysql
EOF
kubectl rollout status deployment/capstone-mysql --timeout=180s
kubectl get pvc,pods

# %% [markdown] key="milestone-influxdb"
# Now write InfluxDB the same way: claim `capstone-influxdb` mounted at `/var/lib/influxdb`, image
# `kubelab.local/ft-influxdb:1.0`, port 8086, a ClusterIP Service. The image creates the database and users on its
# first start from `INFLUXDB_DB=capstone`, `INFLUXDB_HTTP_AUTH_ENABLED=true`, `INFLUXDB_ADMIN_USER=admin`,
# `INFLUXDB_ADMIN_PASSWORD`, `INFLUXDB_READ_USER=grafana`, `INFLUXDB_READ_USER_PASSWORD`,
# `INFLUXDB_WRITE_USER=telegraf` and `INFLUXDB_WRITE_USER_PASSWORD` (the three passwords from Secret
# `capstone-influxdb`, keys `admin-password`, `read-password` and `write-password`). `GET /ping` is a good probe.
# Write each component's manifest above the `kubectl get` line of the cell, as `kubectl apply -f - <<'EOF'` …
# `EOF`.

# %% key="exercise-influxdb"
%%bash
kubectl get deployments,services,pvc

# %% [markdown] key="milestone-web"
# ## Milestone 3: WordPress and phpMyAdmin
#
# WordPress (`kubelab.local/ft-wordpress:1.0`, port 80) finds its database through
# `WORDPRESS_DB_HOST=capstone-mysql`, `WORDPRESS_DB_NAME` and `WORDPRESS_DB_USER` (both `wordpress`), and
# `WORDPRESS_DB_PASSWORD` from Secret `capstone-mysql`, key `password`. phpMyAdmin
# (`kubelab.local/ft-phpmyadmin:1.0`, port 80) needs only
# `PMA_HOST=capstone-mysql`: you log in with a MySQL account. Their Services are LoadBalancers on ports 5050 and
# 5000, with the sharing annotation.

# %% key="exercise-web"
%%bash
kubectl get deployments,services

# %% [markdown] key="milestone-nginx"
# ## Milestone 4: nginx, the front door
#
# nginx's whole job is in its configuration, a file `default.conf` in ConfigMap `capstone-nginx`, mounted at
# `/etc/nginx/conf.d`. It holds two `server` blocks:
#
# - `listen 80;` with only `return 301 https://$host$request_uri;`;
# - `listen 443 ssl;` with `ssl_certificate` and `ssl_certificate_key` pointing into the mounted TLS Secret (say
#   `/etc/nginx/tls/tls.crt` and `tls.key`), a `location /wordpress` that returns `307 http://$host:5050/`, and a
#   `location /phpmyadmin/` whose `proxy_pass http://capstone-phpmyadmin:5000/;` (mind the final slash: it strips
#   the prefix).
#
# nginx looks up `capstone-phpmyadmin` when it starts, so create phpMyAdmin's Service first.
#
# Your image `kubelab.local/ft-nginx:1.0` also runs an SSH server: its start script creates the account
# `SSH_USER` with the password `SSH_PASSWORD` (take both from Secret `capstone-ssh`), starts `sshd`, then runs
# nginx as the container's main process. Declare container port 22, and make the Service a LoadBalancer with
# ports 80, 443 and 22. The container now holds two servers, but the kubelet watches only the main process: give
# it a liveness probe that checks both, an `exec` probe running `pgrep -x nginx && pgrep -x sshd`.

# %% key="exercise-nginx"
%%bash
kubectl get configmaps,deployments,services

# %% [markdown] key="milestone-ftps"
# ## Milestone 5: FTPS
#
# Your image `kubelab.local/ft-ftps:1.0` runs vsftpd, from the course's pinned `delfer/alpine-ftp-server`, with
# the stack's passive range as its default. It creates the users listed in `USERS` (`name|password`),
# turns TLS on when `TLS_CERT` and `TLS_KEY` name a certificate and key, and uses the passive ports `MIN_PORT` to
# `MAX_PORT`. Take the user and password from Secret `capstone-ftps` into two variables, then build `USERS` from
# them with Kubernetes' `$(VARIABLE)` syntax, so no password is written anywhere. Mount `capstone-tls` as a
# volume. Choose a small passive range (21000 to 21004), and give the Service port 21 plus one port per passive
# port, each with the same `port` and `targetPort`: after login, every transfer opens a new connection to one of
# them.

# %% key="exercise-ftps"
%%bash
kubectl get deployments,services

# %% [markdown] key="milestone-grafana"
# ## Milestone 6: Grafana and InfluxDB
#
# Grafana reads data sources from files in `/etc/grafana/provisioning/datasources`. Put one in a ConfigMap and
# mount its folder: `apiVersion: 1`, then a data source with `type: influxdb`, `access: proxy`,
# `url: http://capstone-influxdb:8086`, `user: grafana`, `jsonData` with `dbName: capstone`, and
# `secureJsonData` with `password: $INFLUX_READ_PASSWORD`. Grafana replaces `$INFLUX_READ_PASSWORD` with the
# environment variable of that name, which you take from the Secret. Its admin account comes from
# `GF_SECURITY_ADMIN_USER` and `GF_SECURITY_ADMIN_PASSWORD` (Secret `capstone-grafana`). The Service is a
# LoadBalancer on port 3000.
#
# Dashboards are provisioned the same way, from `/etc/grafana/provisioning/dashboards`: a provider file
# (`apiVersion: 1`, then `providers:` with `type: file` and `options.path`, the folder of the dashboards) and one
# JSON file per service, whose `title` names the service and whose panels query what Telegraf writes for it (for
# example `SELECT mean("response_time") FROM "http_response" WHERE "service" = 'nginx' AND $timeFilter GROUP BY
# time($__interval)`). One ConfigMap can hold the provider and the seven dashboards, mounted on that folder.

# %% [markdown] key="milestone-telegraf"
# Telegraf collects the measurements. Its configuration, `telegraf.conf` in ConfigMap `capstone-telegraf`
# mounted at `/etc/telegraf`, has one `[[outputs.influxdb]]` (url `http://capstone-influxdb:8086`, database
# `capstone`, user `telegraf`, `password = "${INFLUX_WRITE_PASSWORD}"` taken from the Secret into that variable)
# and one input per service, naming its Service: `[[inputs.http_response]]` for the web servers (`urls =
# ["http://capstone-wordpress:5050/"]`), `[[inputs.net_response]]` for the others (`address =
# "capstone-mysql:3306"`), each with a `[inputs.….tags]` table saying `service = "mysql"` for the dashboards.
# `[[outputs.health]]` with `service_address = "http://:8888"` gives its liveness probe something to ask.

# %% key="exercise-telegraf"
%%bash
kubectl get deployments,configmaps

# %% key="exercise-grafana"
%%bash
kubectl get deployments,services,configmaps

# %% [markdown] key="milestone-ip"
# ## Milestone 7: one IP
#
# Until something gives LoadBalancer Services an address, their EXTERNAL-IP stays `<pending>`. On minikube, the
# MetalLB addon does. `kubelab up --backend minikube` has enabled it and given it a pool: the addresses .200 to
# .210 of the node's network, written with `minikube addons configure metallb`, which keeps them in the profile so
# that they survive `minikube stop` and `start`. The next cell shows that pool, then list the Services: all five
# public ones should show the same IP.

# %% key="show-metallb-pool" tags=["needs-minikube"]
%%bash
if kubectl get crd ipaddresspools.metallb.io >/dev/null 2>&1; then
  kubectl get ipaddresspools,l2advertisements -n metallb-system -o yaml
else
  kubectl get configmap config -n metallb-system -o jsonpath='{.data.config}'
fi

# %% [markdown] key="metallb-current"
# minikube's addon still ships MetalLB 0.9.6, which reads its pool from the ConfigMap `metallb-system/config`
# (the addon rewrites it from the profile at every start, so edit the profile, not the ConfigMap). MetalLB 0.13
# and later, installed from its own manifests or Helm chart, read the pool from two custom resources instead:
#
# ```yaml
# apiVersion: metallb.io/v1beta1
# kind: IPAddressPool
# metadata:
#   name: kubelab
#   namespace: metallb-system
# spec:
#   addresses:
#     - 192.168.49.200-192.168.49.210
# ---
# apiVersion: metallb.io/v1beta1
# kind: L2Advertisement
# metadata:
#   name: kubelab
#   namespace: metallb-system
# spec:
#   ipAddressPools:
#     - kubelab
# ```
#
# The sharing key changed too: MetalLB 0.14.9 deprecated the prefix `metallb.universe.tf/`, so the current
# annotation is `metallb.io/allow-shared-ip`. Write both keys, with the same value: the new one for current
# MetalLB, the old one for minikube's addon, which reads only that.

# %% key="get-services"
!kubectl get services -o wide

# %% [markdown] key="milestone-visit"
# With the IP, visit the stack: `https://<IP>/` (accept the self-signed certificate), `http://<IP>/` (redirected),
# `https://<IP>/wordpress` (redirected to port 5050, where WordPress asks you to install it: do it, with a
# password of your own), `https://<IP>/phpmyadmin/`, and Grafana at `http://<IP>:3000`, with a dashboard per
# service. From a terminal, `curl -kI` shows the redirects, and port 22 greets with SSH's version line
# (`ssh admin@<IP>` logs in, with the password of Secret `capstone-ssh`):

# %% key="curl-redirects" tags=["needs-data-plane", "needs-load-balancer"]
%%bash
IP=$(kubectl get service capstone-nginx -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
curl -sI --max-time 5 http://$IP/ | head -3
curl -skI --max-time 5 https://$IP/wordpress | head -3
curl -sk --max-time 5 https://$IP/phpmyadmin/ | grep -o '<title>.*</title>'
timeout 5 bash -c "head -1 < /dev/tcp/$IP/22"

# %% [markdown] key="milestone-crash"
# ## Milestone 8: crash tests
#
# First, kill a container's main process. PID 1 of nginx's container is nginx itself: when it dies, the
# container ends, and the kubelet starts it again (the RESTARTS column counts it).

# %% key="kill-process" tags=["needs-data-plane"]
%%bash
kubectl exec deploy/capstone-nginx -- kill 1
sleep 5
kubectl get pods -l app=capstone-nginx

# %% [markdown] key="crash-database"
# Then delete the database pod. Its Deployment starts a new one on the same claim: WordPress must still show your
# site and its first post.

# %% key="delete-database" tags=["needs-data-plane"]
%%bash
kubectl delete pod -l app=capstone-mysql --wait=true
kubectl rollout status deployment/capstone-mysql --timeout=180s
kubectl get pods -l app=capstone-mysql

# %% [markdown] key="check-intro"
# ## Check your work
#
# The first checks read the cluster's state and work everywhere (images, probes, Telegraf's configuration and the
# dashboards included). The others need containers that really run (the redirects, the proxy, SSH, Grafana, the
# crash tests) or an external IP (FTPS and the shared IP); where the cluster lacks them, they are skipped and say
# so.

# %% key="check" tags=["check"]
lab.check()

# %% [markdown] key="stuck"
# ## Stuck?
#
# The next cell builds the reference stack, certificate and volumes included, and runs the crash tests; compare
# it with yours component by component (`kubectl get deployment capstone-ftps -o yaml`…). It does not build the
# images: run the build cell at the top first. The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# Every piece is something an earlier lab taught; the project is in how they meet. The Services find their pods
# by labels, the components find each other by Service names, the passwords travel from Secrets into
# environment variables at start, and the data lives on claims that outlive any pod. Two different controllers
# keep the stack alive: the kubelet restarts a container whose process died (same pod, RESTARTS + 1), and the
# ReplicaSet replaces a pod that was deleted (a new pod, on the same claim). MetalLB, finally, turns five
# LoadBalancer Services into one address, because they asked to share it.

# %% [markdown] key="mistake-init"
# ## Common mistakes
#
# **Credentials that change nothing.** MySQL, InfluxDB and Grafana read their passwords only on their first
# start, on an empty volume. Changing a Secret later leaves the old password in the data; delete the claim's
# data (or use the application's own command) to start again.

# %% [markdown] key="mistake-db-connection"
# **"Error establishing a database connection".** WordPress started before MySQL was ready, or with another
# password. It retries on every request: wait for MySQL's rollout, and compare the Secret keys both use.

# %% [markdown] key="mistake-passive"
# **FTPS that logs in but cannot list.** The login goes through port 21, but every listing or transfer opens a
# passive port. If the Service lacks it, or maps it to another number, the client hangs. Some clients also need
# the server to announce the external IP (`ADDRESS` for this image).

# %% [markdown] key="mistake-shared-ip"
# **Two IPs instead of one.** MetalLB shares an IP only between Services with the same sharing key and distinct
# ports. A Service created before the annotation keeps the IP it got: delete it and apply it again.

# %% [markdown] key="mistake-liveness"
# **A container that does not restart.** The kubelet restarts a container when its main process ends. A startup
# script that launches the real server in the background and then sleeps keeps the container alive while the
# server is dead: run the server as PID 1 (`exec`), and give every container a liveness probe, which also
# catches a server that hangs without dying, or a second server (nginx's `sshd`) that died beside it.

# %% [markdown] key="mistake-image"
# **ErrImageNeverPull, or a public image.** `imagePullPolicy: Never` finds only images built where the node's
# runtime keeps them: build with `minikube image build --all` (or the embedded cluster's builder), not with your
# computer's Docker. And `nginx:1.30` is someone else's image, even on your node: the stack runs the
# images you built from its Dockerfiles, under your own names and version tags.

# %% [markdown] key="mistake-proxy"
# **phpMyAdmin's pages without styles, or nginx that will not start.** `proxy_pass` with a final slash strips
# `/phpmyadmin/` from the path; without it, phpMyAdmin receives paths it does not know. And nginx refuses to start
# when a `proxy_pass` host has no Service yet.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the project again from the beginning, run the next cell. It deletes the namespace, with its claims.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
