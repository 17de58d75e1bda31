# %% [markdown] key="title"
# # FTPS: a file server with TLS and passive ports

# %% [markdown] key="objectives"
# Some programs do not fit in one port. FTP opens a second connection for every file it moves, and that
# second connection has to find its way into the cluster too. In this lab you run an FTP server with TLS in a
# pod. By the end you will be able to:
#
# - keep a certificate and its key in a TLS Secret, and a user's password in a generated Secret;
# - hand both to a container by reference, building a setting out of Secret values with `$(VAR)`;
# - expose a protocol's extra ports through a NodePort Service where port, targetPort and nodePort are equal;
# - explain why an FTP server runs as exactly one replica, and why fixed nodePorts need care.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab. It also creates the Secret `ftps-credentials`: the user name `learner` and a
# random password that nobody has seen. The second cell makes the namespace kubectl's default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("12-ftps")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-two-connections"
# ## Two connections: the counter and the loading bay
#
# Picture a wholesale market. At the counter you talk with the clerk: who you are, what you want. The goods do
# not cross the counter; the clerk says "drive round to bay 30032", and you collect them there. FTP works the
# same way. The **control connection** (port 21) carries commands and replies. Each transfer, even a directory
# listing, uses a separate **data connection**. In **passive mode** the server picks a port from a range,
# announces it in its reply (`227 Entering Passive Mode`), and the client opens a new connection to it.

# %% [markdown] key="concept-tls"
# ## FTPS: TLS on both connections
#
# Plain FTP sends the password and the files as readable text. **FTPS** adds TLS. In its *explicit* form the
# client connects to port 21 in clear, sends `AUTH TLS`, and the conversation continues encrypted; `PROT P`
# then asks for encrypted data connections too. (The *implicit* form starts TLS at once, on port 990.) The
# server proves who it is with a certificate. Here it is self-signed: good enough to encrypt, but clients
# cannot verify it, so they must be told to accept it.

# %% [markdown] key="concept-passive-ports"
# ## Why the port numbers must not change
#
# The server announces a bare port number, say 30032, and the client dials that number on the address it
# already uses. If the Service translated 30032 into another number on the way in, the client would knock at
# the wrong bay. So every passive port needs a Service port where **port = targetPort = nodePort**. nodePorts
# lie in 30000-32767, which is why the server is told to use 30030-30034 instead of its default range.
#
# A nodePort belongs to the whole cluster, not to a namespace. On a cluster you share (a JupyterHub class),
# only one person can hold 30030-30034: run this lab on your own cluster, or agree on another range with your
# instructor and use it everywhere below.

# %% [markdown] key="step-certificate"
# ## A certificate in a TLS Secret
#
# The next cell makes a self-signed certificate and its private key with `openssl` in a temporary folder,
# stores both in a Secret of type `kubernetes.io/tls`, and deletes the folder. The key never lands in your
# project, and never in git.

# %% key="make-certificate"
%%bash
workdir=$(mktemp -d)
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=ftps.kubelab.local" \
  -keyout "$workdir/tls.key" -out "$workdir/tls.crt" 2>/dev/null
kubectl create secret tls ftps-tls --cert="$workdir/tls.crt" --key="$workdir/tls.key" \
  --dry-run=client -o yaml | kubectl apply -f -
rm -rf "$workdir"
kubectl describe secret ftps-tls

# %% [markdown] key="step-credentials"
# The user's Secret has two keys, `username` and `password`. `describe` shows their sizes, never their values.

# %% key="describe-credentials"
!kubectl describe secret ftps-credentials

# %% [markdown] key="step-server"
# ## The server
#
# The image `delfer/alpine-ftp-server` runs vsftpd and is configured by environment variables:
#
# - `USERS` is `name|password`. It is built from two variables taken from the Secret: Kubernetes replaces
#   `$(FTP_USER)` and `$(FTP_PASSWORD)` with their values when it starts the container, so the password
#   appears nowhere in the Deployment;
# - `ADDRESS` is the address announced for passive connections: the IP of the node the pod runs on;
# - `MIN_PORT` and `MAX_PORT` bound the passive range;
# - `TLS_CERT` and `TLS_KEY` point at the files of the mounted TLS Secret; with them, TLS is mandatory.
#
# One replica, and `strategy: Recreate`: a data connection must reach the very pod that holds the session.

# %% key="apply-server"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ftps-server
spec:
  replicas: 1
  strategy:
    type: Recreate
  selector:
    matchLabels:
      app: ftps-server
  template:
    metadata:
      labels:
        app: ftps-server
    spec:
      containers:
        - name: vsftpd
          image: delfer/alpine-ftp-server@sha256:60bb774d8408d9d4d5c74d05d1c086a34ce192c6c1a142ffac268cac0dbc6fac
          env:
            - name: FTP_USER
              valueFrom:
                secretKeyRef:
                  name: ftps-credentials
                  key: username
            - name: FTP_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: ftps-credentials
                  key: password
            - name: USERS
              value: "$(FTP_USER)|$(FTP_PASSWORD)"
            - name: ADDRESS
              valueFrom:
                fieldRef:
                  fieldPath: status.hostIP
            - name: MIN_PORT
              value: "30030"
            - name: MAX_PORT
              value: "30034"
            - name: TLS_CERT
              value: /etc/ftps-tls/tls.crt
            - name: TLS_KEY
              value: /etc/ftps-tls/tls.key
          ports:
            - name: ftp
              containerPort: 21
            - name: pasv-30030
              containerPort: 30030
            - name: pasv-30031
              containerPort: 30031
            - name: pasv-30032
              containerPort: 30032
            - name: pasv-30033
              containerPort: 30033
            - name: pasv-30034
              containerPort: 30034
          volumeMounts:
            - name: tls
              mountPath: /etc/ftps-tls
              readOnly: true
      volumes:
        - name: tls
          secret:
            secretName: ftps-tls
EOF

# %% [markdown] key="exercise-intro"
# ## Exercise: the Service
#
# Write a Service that matches this description:
#
# - name `ftps-server`, `type: NodePort`, selecting the pods labelled `app: ftps-server`;
# - a port named `ftp`: port 21, targetPort 21, with no nodePort (let Kubernetes choose it);
# - five ports named `pasv-30030` to `pasv-30034`, each with port, targetPort **and** nodePort equal to its
#   number.

# %% [markdown] key="exercise-how"
# Above the `kubectl get services` line of the next cell, write `kubectl apply -f - <<'EOF'`, your manifest and a
# line with only `EOF`, then run the cell.

# %% key="exercise-service"
%%bash
kubectl get services

# %% key="wait-server"
!kubectl rollout status deployment/ftps-server --timeout=120s
!kubectl get service ftps-server -o wide
!kubectl get endpointslices -l kubernetes.io/service-name=ftps-server

# %% [markdown] key="step-try"
# ## Move a file
#
# The next cell reads the node's address, the nodePort of port 21 and the credentials, then uses `curl` to
# upload a file over FTPS and list the folder. `--ssl-reqd` demands TLS, `-k` accepts the self-signed
# certificate, and `--ftp-skip-pasv-ip` makes curl dial the announced port on the address it already uses.
# With a docker driver on macOS or Windows, the node's address cannot be reached from your machine: skip this
# step there, the checks will say so too.

# %% key="curl-ftps" tags=["needs-data-plane"]
%%bash
node=$(kubectl get nodes -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')
port=$(kubectl get service ftps-server -o jsonpath='{.spec.ports[?(@.name=="ftp")].nodePort}')
user=$(kubectl get secret ftps-credentials -o jsonpath='{.data.username}' | base64 -d)
password=$(kubectl get secret ftps-credentials -o jsonpath='{.data.password}' | base64 -d)
upload=$(mktemp)
date > "$upload"
curl -sS --ssl-reqd -k --ftp-skip-pasv-ip --tls-max 1.2 -u "$user:$password" -T "$upload" "ftp://$node:$port/hello.txt"
curl -sS --ssl-reqd -k --ftp-skip-pasv-ip --tls-max 1.2 -u "$user:$password" "ftp://$node:$port/"
rm -f "$upload"

# %% [markdown] key="step-plain"
# Now the same login without TLS. The server must refuse it: curl reports the `530` reply and exits with an
# error code, printed last.

# %% key="curl-plain" tags=["needs-data-plane"]
%%bash
node=$(kubectl get nodes -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')
port=$(kubectl get service ftps-server -o jsonpath='{.spec.ports[?(@.name=="ftp")].nodePort}')
password=$(kubectl get secret ftps-credentials -o jsonpath='{.data.password}' | base64 -d)
curl -sS -u "learner:$password" "ftp://$node:$port/" || echo $?

# %% [markdown] key="check-intro"
# ## Check your work
#
# The checks read your objects and, where containers really run, log in as `learner`: over TLS they upload a
# small random file, download it, compare it and delete it; without TLS they expect a refusal.

# %% key="check" tags=["check"]
lab.check()

# %% [markdown] key="stuck"
# ## Stuck?
#
# The next cell applies the reference solution; compare it with yours (`kubectl get service ftps-server -o
# yaml`). The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# The client reaches port 21 through the node's nodePort, and kube-proxy forwards it to the pod. When a
# transfer starts, vsftpd listens on one port of its range and announces it; the client dials that same number
# on the node, and because nodePort, port and targetPort are equal, the connection lands on the same port of
# the same pod. TLS protects the login and the files, and the TLS Secret lets you replace the certificate
# without rebuilding the image.

# %% [markdown] key="mistake-nodeport"
# ## Common mistakes
#
# **Letting Kubernetes choose the passive nodePorts.** The control connection works, the login works, and
# every listing or transfer hangs: the announced port is not open on the node.

# %% [markdown] key="mistake-default-range"
# **Keeping the image's default passive range.** 21000-21010 lies outside the NodePort range, so no Service
# can expose it unchanged.

# %% [markdown] key="mistake-replicas"
# **Two replicas.** A data connection is a new TCP connection; the Service may send it to the other pod,
# which knows nothing of your session.

# %% [markdown] key="mistake-password"
# **Writing the password into `USERS`.** It works, and it puts the password in the Deployment and in git.
# Build the value from variables with `$(FTP_PASSWORD)`.

# %% [markdown] key="mistake-reuse"
# **A client that does not resume the TLS session.** vsftpd demands that each data connection resume the
# control connection's TLS session. Clients that do not get `522 SSL connection failed: session reuse
# required`; with curl, `--tls-max 1.2` avoids a known problem with TLS 1.3.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell. The credentials keep their password.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
