# %% [markdown] key="title"
# # Service DNS and services outside the cluster

# %% [markdown] key="objectives"
# Pods never talk to each other by IP address: they use names. In this lab you find out which names the cluster
# gives your Services, and you give a name to things that live outside the cluster. By the end you will be able to:
#
# - say the full DNS name of a Service, and when its short name is enough;
# - put a database that runs outside Kubernetes behind a Service without a selector, with endpoints you write;
# - create an alias Service (`ExternalName`) for a name on the internet;
# - check from inside the cluster what those names resolve to.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab and creates its namespace; the second makes that namespace kubectl's default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("06-dns-external")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-signs"
# ## Signs above the aisles
#
# In a big supermarket nobody memorises where the butcher stands today. You look up and follow the sign:
# "Butcher's → this way". The counter can move to another aisle overnight; the sign is moved with it, and
# customers keep following signs. In a cluster, the signs are **DNS names**. A Service already gives a group of
# pods one address that does not change (its ClusterIP); the cluster's DNS server gives that address a name, so
# that a web application is configured with `dns-db:3306` and never with an IP address that may change tomorrow.

# %% [markdown] key="concept-names"
# ## The names a Service gets
#
# The cluster's DNS server (CoreDNS) answers for every Service with a name built like this:
#
# `<service>.<namespace>.svc.cluster.local`
#
# Inside a pod, you rarely type all of it. Each pod's `/etc/resolv.conf` lists **search domains**
# (`<namespace>.svc.cluster.local`, `svc.cluster.local`, `cluster.local`): a short name is tried with each
# of them in turn. So from a pod in the same namespace, `dns-db` is enough; from another namespace you need at
# least `dns-db.<namespace>`. The full name always works, from anywhere in the cluster.

# %% [markdown] key="step-coredns"
# ## The cluster's DNS server
#
# CoreDNS runs as an ordinary Deployment in the `kube-system` namespace, behind a Service that keeps the
# historical name `kube-dns`. Its ClusterIP is the `nameserver` every pod is given. (A cluster without a data
# plane, such as kubelab's embedded one, has no DNS server, so this cell is skipped there.)

# %% key="get-coredns" tags=["needs-data-plane"]
!kubectl get deployment coredns -n kube-system
!kubectl get service kube-dns -n kube-system

# %% [markdown] key="step-resolv"
# Look at what a pod receives. This starts a throw-away pod that prints its `/etc/resolv.conf` and is deleted
# when it ends: find the `nameserver` line (the `kube-dns` ClusterIP) and the `search` line.

# %% key="resolv-conf" tags=["needs-data-plane"]
!kubectl run dns-peek --image=busybox:1.37 --restart=Never --rm -i --pod-running-timeout=60s --command -- cat /etc/resolv.conf

# %% [markdown] key="concept-external"
# ## A database outside the cluster
#
# Not everything runs in Kubernetes. In the ProjectAtomic cluster tutorial, MariaDB ran in a container on the
# master host, outside Kubernetes' control, and the pods still had to reach it. The answer was a **Service
# without a selector**: it gets a ClusterIP and a DNS name like any other Service, but Kubernetes does not
# look for pods behind it. You write its endpoints yourself, with the address of the outside server.
# Applications use the name `dns-db`; if the database moves one day, you change one object, not every
# application.

# %% [markdown] key="step-db-service"
# ## The Service without a selector
#
# This Service has ports but no `selector`. The port is named `mysql`: the endpoints you write next must use
# the same name.

# %% key="apply-db-service"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: dns-db
spec:
  ports:
    - name: mysql
      port: 3306
      targetPort: 3306
EOF

# %% [markdown] key="step-no-endpoints"
# The Service has a ClusterIP, but nothing behind it yet: no EndpointSlice, and `describe` says
# `Endpoints: <none>`. With no selector, no controller will ever fill them in.

# %% key="get-db-service"
!kubectl get service dns-db
!kubectl get endpointslices -l kubernetes.io/service-name=dns-db
!kubectl describe service dns-db

# %% [markdown] key="step-host-address"
# ## Where is "outside"?
#
# On minikube, your own computer is reachable from the pods as `host.minikube.internal`; minikube writes its
# address into the node's `/etc/hosts`. It is often `192.168.49.1`, the address used below. If the next cell
# prints another one, use that address instead. On other clusters, use the address of any server the nodes can
# reach. Never use `127.0.0.1`: inside a pod, that is the pod itself.

# %% key="host-address" tags=["needs-minikube"]
!minikube ssh -- grep host.minikube.internal /etc/hosts

# %% [markdown] key="step-endpointslice"
# ## Writing the endpoints by hand
#
# An **EndpointSlice** lists addresses and ports for a Service. The label `kubernetes.io/service-name` ties it
# to `dns-db`; the port's name and number match the Service's port. Because you wrote it, no controller will
# touch it.

# %% key="apply-endpointslice"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: dns-db-external
  labels:
    kubernetes.io/service-name: dns-db
addressType: IPv4
ports:
  - name: mysql
    port: 3306
    protocol: TCP
endpoints:
  - addresses:
      - 192.168.49.1
EOF

# %% [markdown] key="step-endpoints-older"
# The ProjectAtomic tutorial used the older object, **Endpoints** (with an `s`), named exactly like the Service.
# It still works: a controller copies it into an EndpointSlice for you. But it is deprecated since Kubernetes
# 1.33, and the API server prints a warning when you create one. Write EndpointSlices.

# %% [markdown] key="step-check-endpoints"
# Now the Service has an endpoint, and every pod in the cluster can reach your outside server as
# `dns-db:3306`. No database needs to be running for this lab; if you start one on your computer, the pods can
# use it through this name.

# %% key="get-db-endpoints"
!kubectl get endpointslices -l kubernetes.io/service-name=dns-db -o wide
!kubectl describe service dns-db

# %% [markdown] key="exercise-intro"
# ## Exercise: an alias for a name outside
#
# Sometimes the outside service already has a DNS name, such as a managed database or a public site. An
# **ExternalName** Service is just an alias: asked for it, the cluster's DNS answers with a CNAME record, "look
# up this other name instead". It has no ClusterIP, no selector, no endpoints and no ports.

# %% [markdown] key="exercise-spec"
# Write a Service that matches this description:
#
# - name `dns-docs`;
# - `type: ExternalName`;
# - `externalName: kubernetes.io` (a DNS name: no `https://`, no path, no IP address).
#
# Above the `kubectl get services` line of the next cell, write `kubectl apply -f - <<'EOF'`, your manifest and a
# line with only `EOF`, then run the cell. In the output, the EXTERNAL-IP column of `dns-docs` shows the name.

# %% key="exercise-externalname"
%%bash
kubectl get services

# %% [markdown] key="step-lookup-intro"
# ## Asking the cluster's DNS
#
# Only pods can ask the cluster's DNS server. This Job runs one pod that looks up three names: the short name
# `dns-db`, its full name (the pod learns its namespace from the *downward API*: `fieldRef: metadata.namespace`),
# and `dns-docs`. Each answer is written to the log and to `/dev/termination-log`: when the container ends, the
# kubelet copies that file into the pod's status, where kubelab's checks can read it without running anything.
# A Job's pod template cannot change, so the cell deletes an earlier run first.

# %% key="apply-lookup-job"
%%bash
kubectl delete job dns-lookup --ignore-not-found
kubectl apply -f - <<'EOF'
apiVersion: batch/v1
kind: Job
metadata:
  name: dns-lookup
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: lookup
          image: registry.k8s.io/e2e-test-images/agnhost:2.53
          env:
            - name: NAMESPACE
              valueFrom:
                fieldRef:
                  fieldPath: metadata.namespace
          command: ["sh", "-c"]
          args:
            - |
              nslookup dns-db | tee /dev/termination-log
              nslookup dns-db.$NAMESPACE.svc.cluster.local | tee -a /dev/termination-log
              nslookup dns-docs | tee -a /dev/termination-log
EOF
kubectl wait --for=condition=complete job/dns-lookup --timeout=90s

# %% [markdown] key="step-lookup-read"
# Read the answers. `dns-db` and its full name give the same address: the ClusterIP shown by
# `kubectl get service dns-db`. `dns-docs` gives `canonical name = kubernetes.io`, then the addresses of that
# site (only if your cluster can reach the internet).

# %% key="lookup-logs" tags=["needs-data-plane"]
%%bash
kubectl logs job/dns-lookup
kubectl get service dns-db -o jsonpath='{.spec.clusterIP}{"\n"}'

# %% [markdown] key="check-intro"
# ## Check your work
#
# Run the checks. ✓ passed, ✗ failed (with hints), ⚠ could not be checked (not your fault, and it costs no points),
# ⏭ skipped because this cluster cannot run it.

# %% key="check" tags=["check"]
lab.check()

# %% [markdown] key="stuck"
# ## Stuck?
#
# The next cell applies the reference solution; compare it with yours (`kubectl get service dns-docs -o yaml`).
# The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# CoreDNS watches Services and EndpointSlices through the API server, like every controller. For a Service with
# a ClusterIP it answers with that IP; kube-proxy on each node then forwards connections for that IP to the
# endpoints. For `dns-db` those endpoints are yours, so traffic leaves the cluster towards your server. For an
# ExternalName Service, CoreDNS answers with a CNAME and nothing else happens inside the cluster: the pod
# resolves the outside name and connects to it directly.

# %% [markdown] key="mistake-selector"
# ## Common mistakes
#
# **Keeping a selector.** With a `selector`, Kubernetes fills the endpoints from matching pods and replaces
# whatever you wrote. An outside server is not a pod, so the Service ends up with no endpoints at all.

# %% [markdown] key="mistake-ports"
# **Port names that differ.** The Service's port is named `mysql`; an EndpointSlice port named `db`, or with no
# name, does not belong to it. `kubectl describe service dns-db` then shows no endpoint for the port.

# %% [markdown] key="mistake-address"
# **Loopback or link-local addresses.** `127.0.0.1` inside a pod is the pod itself, and `169.254.x.x` never
# leaves the node. Use an address of the outside server that the nodes can reach.

# %% [markdown] key="mistake-externalname"
# **A URL or an IP in `externalName`.** It must be a DNS name, such as `kubernetes.io`. And an alias does not
# change the port or the Host header: a client that connects to `dns-docs` over HTTPS still talks to
# kubernetes.io, whose certificate does not name `dns-docs`.

# %% [markdown] key="mistake-dns-policy"
# **`dnsPolicy: Default`.** Despite its name, it is not the default: it gives the pod the node's resolver,
# which knows nothing of cluster names. Leave `dnsPolicy` out (it means `ClusterFirst`).

# %% [markdown] key="mistake-namespace"
# **Short names across namespaces.** `dns-db` resolves only from pods in the same namespace. From another
# namespace, write `dns-db.<namespace>` or the full name.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
