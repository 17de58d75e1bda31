# %% [markdown] key="title"
# # Services: a stable front door for changing pods

# %% [markdown] key="objectives"
# Pods come and go, and each new one gets a new IP address. A Service gives them one name and one address
# that do not change. By the end of this lab you will be able to:
#
# - create a ClusterIP Service that finds its Pods by their labels;
# - read its EndpointSlices, and watch them follow the Pods;
# - tell `port`, `targetPort` and `nodePort` apart;
# - open a Service to the outside with NodePort, and know when LoadBalancer and ExternalName fit.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# Opening the lab creates its namespace and a starting point: a Deployment called `svc-web`, running three
# nginx Pods. The second cell makes the namespace kubectl's default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("05-services")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="step-starting-point"
# Meet the Pods you will put behind a Service. Note their IP addresses, and their labels: `app=svc-web` and
# `tier=frontend`, which come from the Deployment's Pod template.

# %% key="get-starting-pods"
!kubectl rollout status deployment/svc-web --timeout=120s
!kubectl get pods -l app=svc-web -o wide --show-labels

# %% [markdown] key="concept-problem"
# ## The problem: addresses that move
#
# Any of these Pods can be replaced at any moment (you saw it in the Deployments lab), and the replacement
# gets a new IP address. A client that wrote down a Pod's address, in its configuration or in a DNS record,
# would soon be calling nobody. Clients need something that stays put while the Pods change.

# %% [markdown] key="concept-sign"
# ## The sign above the counter
#
# In a supermarket you do not look for a particular butcher by name. You follow the sign that says
# "Butcher's", and whoever is behind the counter serves you. Staff change shifts, fall ill, get replaced:
# the sign stays where it is. A **Service** is that sign: a fixed name and a fixed virtual IP address
# (the ClusterIP), registered in the cluster's DNS.

# %% [markdown] key="concept-queue"
# At the counter you take a ticket and watch the display above it, which calls the next number to whichever
# butcher is free. That is the Service's second job: it spreads requests over all the Pods behind it. On each
# node, **kube-proxy** sets up the rules that send traffic for the Service's address to one of its Pods.

# %% [markdown] key="concept-selector"
# How does the sign know who works at the counter? By the apron they wear. A Service has a **selector**, a
# set of labels: every ready Pod that carries those labels is behind it. Kubernetes keeps the list of their
# addresses in **EndpointSlices**, and updates it whenever a Pod appears, disappears or stops being ready.

# %% [markdown] key="step-clusterip"
# ## Create the ClusterIP Service
#
# `ClusterIP` is the default type: an address that only works inside the cluster. The selector `app: svc-web`
# picks the Deployment's Pods. Under `ports`, clients call the Service on `port: 80`, and the Service
# forwards the traffic to `targetPort: 80`, where nginx listens in each container.

# %% key="apply-service"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: svc-web
spec:
  type: ClusterIP
  selector:
    app: svc-web
  ports:
    - name: http
      port: 80
      targetPort: 80
EOF

# %% [markdown] key="step-get-service"
# The Service has received its CLUSTER-IP. `-o wide` adds its SELECTOR; `describe` adds the Endpoints line:
# the addresses of the three Pods, each on port 80.

# %% key="get-service"
!kubectl get service svc-web -o wide
!kubectl describe service svc-web

# %% [markdown] key="step-endpointslices"
# ## EndpointSlices
#
# The list of endpoints lives in EndpointSlice objects, tied to their Service by the label
# `kubernetes.io/service-name`. Their ENDPOINTS column holds the Pod IPs you saw above. The second command
# prints each endpoint with the Pod it belongs to, and whether it is ready to receive traffic.

# %% key="get-endpointslices"
%%bash
kubectl get endpointslices -l kubernetes.io/service-name=svc-web
kubectl get endpointslices -l kubernetes.io/service-name=svc-web -o jsonpath='{range .items[*].endpoints[*]}{.targetRef.name}{" "}{.addresses[0]}{" "}{.conditions.ready}{"\n"}{end}'

# %% [markdown] key="step-follow"
# Now replace a Pod, as the ReplicaSet does when one fails, and look again. The deleted Pod has left the
# EndpointSlice and its replacement has joined it, with no action from you. (The replacement usually gets a
# new IP address, though a freed one can be reused.) The Service's name and ClusterIP have not changed.

# %% key="replace-pod"
%%bash
POD=$(kubectl get pods -l app=svc-web -o jsonpath='{.items[0].metadata.name}')
kubectl delete pod "$POD" --wait=true
kubectl rollout status deployment/svc-web --timeout=120s
sleep 2
kubectl get endpointslices -l kubernetes.io/service-name=svc-web -o jsonpath='{range .items[*].endpoints[*]}{.targetRef.name}{" "}{.addresses[0]}{" "}{.conditions.ready}{"\n"}{end}'
kubectl get service svc-web

# %% [markdown] key="step-picture"
# The picture of your namespace now has a third layer: the Service, in front of the Pods it selects.

# %% key="picture"
lab.picture()

# %% [markdown] key="step-dns"
# Inside the cluster, the Service has a DNS name: `svc-web` from the same namespace, or
# `svc-web.<namespace>.svc.cluster.local` from anywhere. The next cell starts a throw-away busybox Pod that
# fetches the page by name, then deletes itself. Cells that need running containers are skipped on a cluster
# whose nodes are simulated.

# %% key="fetch-by-name" tags=["needs-data-plane"]
!kubectl run svc-client --image=busybox:1.37 --restart=Never --rm --attach --quiet -- timeout 5 wget -qO- http://svc-web

# %% [markdown] key="step-port-forward"
# From your own machine, `kubectl port-forward` can connect a local port to the Service for a few seconds.
# It picks one Pod behind the Service and sticks to it: handy for a quick look, but it is not load balancing.

# %% key="port-forward-service" tags=["needs-data-plane"]
%%bash
timeout 8 kubectl port-forward service/svc-web 8080:80 >/dev/null &
sleep 3
curl -s http://localhost:8080 | head -n 4
wait

# %% [markdown] key="step-kube-proxy-rules"
# ## The rules behind the sign
#
# A ClusterIP belongs to no machine and no network card: no program listens on it. It works because kube-proxy,
# on every node, turns the Service and its EndpointSlices into rules of the kernel's packet filter,
# **netfilter**. In the supermarket, this is the ticket display above the counter: it serves nobody itself, it
# only sends each customer to a butcher. kubelab's embedded cluster runs kube-proxy in **nftables** mode on its
# real node; the next cell prints, read-only, the part of its table `ip kube-proxy` that is about `svc-web`.

# %% key="kube-proxy-rules" tags=["needs-data-plane"]
!kubelab node nft svc-web -n {lab.namespace}

# %% [markdown] key="step-read-rules"
# Read it from the top:
#
# - the map `service-ips` has one element per Service port, `<ClusterIP> . tcp . 80 : goto service-…`: a new
#   connection to that address and port goes to the Service's chain (the chain `services`, not shown, looks
#   every destination up in this map);
# - the Service's chain, `service-<hash>-<namespace>/svc-web/tcp/http`, chooses a Pod: `numgen random mod 3`
#   draws 0, 1 or 2 for each new connection, and the map that follows turns the number into one Pod's address
#   and port, which `dnat` writes into the packet as its new destination. Some kube-proxy versions send each
#   number to an `endpoint-…` chain per Pod, which does the `dnat`: the draw is the same;
# - only a connection's first packet is drawn; the rest of the connection goes to the same Pod, because the
#   kernel's connection tracking remembers the choice.
#
# That is the ticket display: every customer is sent to a butcher at random, and the sign never moves. Replace a
# Pod, as you did above, and run the cell again: the Pod addresses in the map change, the ClusterIP does not.

# %% [markdown] key="step-rules-minikube"
# On minikube, the rules are inside the minikube node. kube-proxy runs there in iptables mode unless told
# otherwise (`kubectl get configmap kube-proxy -n kube-system -o yaml | grep mode` shows it):
# `minikube ssh -- sudo iptables-save -t nat | grep svc-web` lists a `KUBE-SVC-…` chain whose rules choose a
# `KUBE-SEP-…` chain per Pod with `-m statistic --mode random --probability`. In nftables mode, run
# `minikube ssh -- sudo nft list table ip kube-proxy`.

# %% [markdown] key="concept-ports"
# ## port, targetPort, nodePort
#
# - `port` is the number **clients** call on the Service: `http://svc-web:80`.
# - `targetPort` is where the **container** listens; the Service forwards there. It may differ from `port`:
#   with `port: 8080` and `targetPort: 80`, clients call `svc-web:8080` and nginx still gets port 80.
# - `nodePort`, for NodePort Services only, is a port opened on **every node**, between 30000 and 32767.

# %% [markdown] key="concept-named-port"
# `targetPort` can also be the **name** of a container port. The Pods of `svc-web` call their port 80 `http`,
# so `targetPort: http` works too, and keeps working if a new image listens on another number: only the Pod
# template changes, not the Service.

# %% key="explain-target-port"
!kubectl explain service.spec.ports.targetPort

# %% [markdown] key="exercise-intro"
# ## Exercise: a side door with NodePort
#
# A ClusterIP only works inside the cluster. A **NodePort** Service is a ClusterIP Service plus one port
# opened on every node: traffic that reaches any node on that port goes to the Service, and on to a Pod.

# %% [markdown] key="exercise-spec"
# Create a second Service in front of the same Pods:
#
# - name `svc-web-nodeport`, `type: NodePort`;
# - selector `app: svc-web`;
# - one port named `http`, with `port: 80` and `targetPort: http` (the container port's name).

# %% [markdown] key="exercise-no-nodeport"
# Do **not** write a `nodePort`: let Kubernetes choose a free one between 30000 and 32767. A node port belongs
# to the whole cluster, not to a namespace: on a shared cluster, if you and a classmate both ask for 30080,
# the second Service is refused ("provided port is already allocated").

# %% [markdown] key="exercise-how"
# In the next cell, above the `kubectl get services` line, write `kubectl apply -f - <<'EOF'`, your manifest
# and a line with only `EOF`, as in the ClusterIP step. Run it, then run the cell after it.

# %% key="exercise-nodeport"
%%bash
kubectl get services

# %% [markdown] key="exercise-verify"
# In the PORT(S) column, `80:3xxxx/TCP` means port 80 on the ClusterIP, and the chosen port on every node.
# The EndpointSlice of the new Service lists the same Pods as `svc-web`: two signs, one counter.

# %% key="verify-nodeport"
!kubectl get service svc-web-nodeport -o wide
!kubectl get endpointslices -l kubernetes.io/service-name=svc-web-nodeport

# %% [markdown] key="exercise-reach"
# To reach it from your computer on minikube, run this in a **terminal**, not in the notebook:
# `minikube service svc-web-nodeport -n <namespace> --url`, with the lab's namespace. On Linux it prints
# `http://<minikube ip>:<node port>` at once. On macOS and Windows with the docker driver, the node's IP is
# not reachable: the command opens a tunnel to `127.0.0.1` instead, which lives only while it keeps running.

# %% [markdown] key="concept-loadbalancer"
# ## LoadBalancer: the sign over the main entrance
#
# A NodePort is a side door with an odd number. A **LoadBalancer** Service is a NodePort plus an external
# load balancer, created for you by whoever provides the cluster, with its own address and ordinary ports:
# the big sign over the supermarket's main entrance. Cloud providers give you one out of the box; on your
# own machines you need something like **MetalLB** to play that part.

# %% [markdown] key="concept-loadbalancer-minikube"
# On minikube, a LoadBalancer Service shows `EXTERNAL-IP <pending>` until something provides the address:
# either `minikube tunnel`, left running in a terminal (it may ask for your password), or the `metallb` addon,
# configured with a range of addresses to hand out. Pending is not an error: nobody has built the entrance yet.

# %% [markdown] key="exercise-loadbalancer"
# ## Exercise: the main entrance
#
# Create a third Service in front of the same Pods: name `svc-web-lb`, `type: LoadBalancer`, selector
# `app: svc-web`, and the same port as before (`http`, `port: 80`, `targetPort: http`). Write it in the next
# cell, as in the NodePort exercise.

# %% key="exercise-lb"
%%bash
kubectl get services

# %% [markdown] key="exercise-loadbalancer-ip"
# `kubelab up --backend minikube` has already given MetalLB its pool: the addresses .200 to .210 of the node's
# network (192.168.49.200 to 192.168.49.210 when `minikube ip` is 192.168.49.2). So on minikube the
# EXTERNAL-IP column soon shows one of them. On a cluster with nothing to hand out addresses (kubelab's
# embedded cluster, for one) it stays `<pending>`, and the check of the address is skipped, with the reason.

# %% key="verify-lb"
!kubectl get service svc-web-lb -o wide

# %% [markdown] key="concept-externalname"
# ## ExternalName: a sign that points across the street
#
# Sometimes the counter is not in your shop at all: "Bakery: next door". An **ExternalName** Service has no
# selector and no Pods; it is a DNS alias. Looking up its name returns another name, such as a database host
# outside the cluster (`externalName: db.example.com`). No traffic passes through Kubernetes.

# %% [markdown] key="concept-selectorless"
# A Service can also have **no selector** at all. Then Kubernetes fills no EndpointSlice for it: you write one
# yourself, with the addresses you choose, for example a database that runs outside the cluster but should
# look like an ordinary Service to your Pods. A later lab does exactly that.

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
# It happens to everyone. The next cell applies the reference Services, so that you can compare them with
# yours (`kubectl get service svc-web-nodeport -o yaml`) and carry on. The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# A Service never looks at Pod names or at how many there are. It keeps asking one question: which ready
# Pods carry my labels? The EndpointSlice controller writes down the answer, and kube-proxy on every node
# turns it into forwarding rules. Pods can be replaced, scaled or moved; the name, the ClusterIP and the node
# port stay where they are.

# %% [markdown] key="mistake-selector"
# ## Common mistakes
#
# **A typo in the selector.** `app: svc-webb` matches nothing, yet the Service is created without complaint:
# it just has no endpoints, and clients time out. Compare the SELECTOR of `kubectl get svc -o wide` with
# `kubectl get pods --show-labels`. An empty EndpointSlice means the selector is wrong, or no Pod is ready.

# %% [markdown] key="mistake-target-port"
# **Mixing up `port` and `targetPort`.** With `targetPort: 8080` the endpoints look healthy, but nginx listens
# on 80, so every connection is refused. `targetPort` must be a port the container really listens on;
# using the port's name (`http`) avoids the mistake.

# %% [markdown] key="mistake-selector-too-wide"
# **A selector that catches too much.** A Pod matches when it carries the selector's labels, whatever else it has.
# `tier: frontend` alone would also catch every other front-end Pod in the namespace. Select on the label
# that names the application.

# %% [markdown] key="mistake-fixed-nodeport"
# **Choosing the node port yourself.** A fixed `nodePort` must lie between 30000 and 32767 and be free in the
# whole cluster; on a shared cluster it collides sooner or later. Let Kubernetes choose, and read the number
# back with `kubectl get service`.

# %% [markdown] key="mistake-macos"
# **"The NodePort does not answer" on macOS or Windows.** With minikube's docker driver, `$(minikube ip)` is
# not reachable from your computer. Use `minikube service <name> --url` (and keep it running) or
# `minikube tunnel`, then the `127.0.0.1` address they give you.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell: it removes your Services and puts the starting
# Deployment back as it was.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
