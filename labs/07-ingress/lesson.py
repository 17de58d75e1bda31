# %% [markdown] key="title"
# # Ingress and the Gateway API: one entrance, rules by host and by path

# %% [markdown] key="objectives"
# Your cluster runs several web applications, and visitors should reach all of them through one address, sorted
# by the name they typed and the path they asked for. In this lab you write those sorting rules twice: with the
# Ingress API, which every cluster still has, and with its successor, the Gateway API. By the end you will be
# able to:
#
# - tell an **ingress controller** (the program at the door) from an **Ingress** (the rules it follows);
# - send a whole host name to one Service, and one path of another host to the same Service;
# - predict which rule wins for a request, and avoid the path traps;
# - write the same rules as a **Gateway** and **HTTPRoutes**, with HTTPS from a certificate in a Secret;
# - read the controller's verdict in the status of a Gateway and of its routes;
# - test the rules through the controller with a `Host` header.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab: it creates the namespace, two small web applications, `ingress-shop` and
# `ingress-support`, each behind a Service on port 80, and a TLS Secret `miempresa-tls` (a certificate for
# `miempresa.eu` and `*.miempresa.eu`) for the second part. The second cell makes that namespace kubectl's
# default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("07-ingress")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-doors"
# ## The supermarket's doors
#
# A supermarket has one public entrance. Behind the door, a guard looks at each customer and sends them the
# right way: "support desk? to the left; shopping? straight ahead". The guard follows rules written by the
# manager, and the rules do not care who the guard is today. In Kubernetes, the guard is the **ingress
# controller**: a reverse proxy (Traefik, HAProxy, Envoy, NGINX…) running in pods, reachable from outside the
# cluster. The written rules are **Ingress** objects. You write Ingresses the same way whatever the controller
# is, and the controller turns them into its own configuration.

# %% [markdown] key="concept-rules"
# ## Rules by host and by path
#
# A request names a **host** (the `Host` header: the name the visitor typed) and a **path**. An Ingress rule
# can match either:
#
# - `soporte.miempresa.es` → the support application, whatever the path;
# - `miempresa.es/soporte` → the support application too;
# - everything else on `miempresa.es` → the shop.
#
# The controller first picks the rule whose `host` equals the request's host, then, among its paths, the
# **longest** one that matches. `pathType: Prefix` matches a path and everything below it (`/soporte` matches
# `/soporte/tickets`); `pathType: Exact` matches that one path only.

# %% [markdown] key="step-controller"
# ## The controller at the door
#
# An Ingress does nothing without a controller. This course uses **Traefik**, a maintained open-source proxy
# that serves both the Ingress API and the Gateway API. `kubelab up` installs it: on minikube in the namespace
# `traefik`, on the embedded cluster on its real node. It comes with an **IngressClass** called `traefik` that
# says "the Ingresses of class traefik are mine", and a **GatewayClass** of the same name.
#
# For years the usual answer was ingress-nginx. Kubernetes retired it in March 2026: no more releases, no
# security fixes. Its many `nginx.ingress.kubernetes.io/…` annotations worked with that controller only, which is
# exactly what the Gateway API replaces with standard fields.

# %% key="wait-controller" tags=["needs-data-plane"]
!kubectl get ingressclass,gatewayclass

# %% [markdown] key="step-backends"
# ## The two applications
#
# Each application answers every path with its own name, so you can always tell who answered. Their Services
# listen on port 80 and forward to the containers' port 5678.

# %% key="get-backends"
!kubectl rollout status deployment/ingress-shop --timeout=120s
!kubectl rollout status deployment/ingress-support --timeout=120s
!kubectl get deployments,services,endpointslices

# %% [markdown] key="exercise-intro"
# ## Exercise: the rules at the door
#
# Write one Ingress that matches this description:
#
# - name `ingress-routes`, with `ingressClassName: traefik`;
# - a rule for host `soporte.miempresa.es`: path `/`, `pathType: Prefix`, backend Service `ingress-support`,
#   port number 80;
# - a rule for host `miempresa.es` with two paths: `/soporte` (Prefix) → `ingress-support` port 80, and `/`
#   (Prefix) → `ingress-shop` port 80.

# %% [markdown] key="exercise-explain"
# `kubectl explain` describes the fields straight from your cluster. A backend names a Service and one of its
# ports: under `backend:` comes `service:`, which holds `name:` and `port:`, which holds `number: 80`.

# %% key="explain-ingress"
!kubectl explain ingress.spec.rules.http.paths
!kubectl explain ingress.spec.rules.http.paths.backend.service

# %% [markdown] key="exercise-how"
# Above the `kubectl get ingress` line of the next cell, write `kubectl apply -f - <<'EOF'`, your manifest and a
# line with only `EOF`, then run the cell.

# %% key="exercise-ingress"
%%bash
kubectl get ingress

# %% [markdown] key="step-describe"
# `describe` lists each host, path and backend, with the pod addresses behind each backend. On a cluster with a
# controller, the ADDRESS column of `kubectl get ingress` fills in within a minute: the controller has taken
# your Ingress in charge.

# %% key="describe-ingress"
!kubectl describe ingress ingress-routes
!kubectl get ingress ingress-routes

# %% [markdown] key="step-try"
# ## Knocking at the door
#
# There is no DNS entry for `miempresa.es` on your computer, so you cannot simply open it in a browser. But the
# controller sorts by the `Host` header, and `curl -H 'Host: …'` sets it. The cell connects your port 8080 to
# the controller's Service for a few seconds and sends three requests: each answer names the application that
# served it.

# %% key="curl-routes" tags=["needs-data-plane"]
%%bash
timeout 10 kubectl port-forward -n traefik service/traefik 8080:80 >/dev/null &
sleep 3
curl -s -H 'Host: soporte.miempresa.es' http://localhost:8080/tickets
curl -s -H 'Host: miempresa.es' http://localhost:8080/soporte/tickets
curl -s -H 'Host: miempresa.es' http://localhost:8080/ofertas
wait

# %% [markdown] key="concept-gateway"
# ## The same entrance with the Gateway API
#
# The Gateway API splits what one Ingress mixed together, along the people who own each part:
#
# - a **GatewayClass** names a controller (here `traefik`); the cluster's administrator installs it once;
# - a **Gateway** is the entrance itself: which ports and protocols it listens on, and the certificates of its
#   HTTPS listeners; the team that runs the platform owns it;
# - **HTTPRoutes** are the rules: host names, paths, and the Services that answer; each application team writes
#   its own, and attaches it to a Gateway through `parentRefs`.
#
# Everything an Ingress says has a standard field here: `ingressClassName` becomes the Gateway's
# `gatewayClassName`, a rule's `host` becomes a route's `hostnames`, `pathType: Prefix` becomes `type:
# PathPrefix`, and `spec.tls` becomes an HTTPS listener. That is how conversion tools such as ingress2gateway
# work. What needed controller annotations before (rewrites, header matches, traffic weights) is standard too.
# And each object gets a **status** from the controller, so you can see whether your rules were accepted.

# %% [markdown] key="exercise-gateway-intro"
# ## Exercise: a Gateway and its routes
#
# The company also has the domain `miempresa.eu`, served through the Gateway API. Write, in one manifest:
#
# - a Gateway `miempresa`, `gatewayClassName: traefik`, with two listeners: `http` (protocol HTTP, port 8000)
#   and `https` (protocol HTTPS, port 8443, `tls` with `mode: Terminate` and a `certificateRefs` entry naming
#   the Secret `miempresa-tls`). Traefik's listeners use ports 8000 and 8443; its Service publishes them as 80 and
#   443;
# - an HTTPRoute `soporte` with `parentRefs: [{name: miempresa}]`, `hostnames: ["soporte.miempresa.eu"]` and one
#   rule whose `backendRefs` is `ingress-support` port 80;
# - an HTTPRoute `miempresa` attached to the same Gateway, for `miempresa.eu`, with a rule matching the path
#   prefix `/soporte` → `ingress-support` port 80, and a rule for `/` → `ingress-shop` port 80.
#
# Write it above the `kubectl get` line of the next cell, as in the first exercise. `kubectl explain
# httproute.spec.rules` and `kubectl explain gateway.spec.listeners` describe the fields.

# %% key="exercise-gateway"
%%bash
kubectl get gateways,httproutes

# %% [markdown] key="step-gateway-status"
# The controller writes its verdict into the status of each object. A Gateway is **Programmed** when its
# listeners are ready; a listener whose certificate Secret is missing says `ResolvedRefs: False`. A route is
# **Accepted** when it fits a listener of its parent, and has **ResolvedRefs** when every Service it names exists.

# %% key="describe-gateway" tags=["needs-data-plane"]
!kubectl get gateway miempresa
!kubectl describe httproute soporte miempresa

# %% [markdown] key="step-gateway-try"
# The same door answers: Traefik serves the Ingress and the routes side by side. Over HTTPS, `--resolve` makes
# curl send the right name in the TLS handshake, and `-k` accepts the lab's self-signed certificate.

# %% key="curl-gateway" tags=["needs-data-plane"]
%%bash
timeout 10 kubectl port-forward -n traefik service/traefik 8080:80 8443:443 >/dev/null &
sleep 3
curl -s -H 'Host: soporte.miempresa.eu' http://localhost:8080/tickets
curl -s -H 'Host: miempresa.eu' http://localhost:8080/ofertas
curl -sk --resolve miempresa.eu:8443:127.0.0.1 https://miempresa.eu:8443/soporte/tickets
wait

# %% [markdown] key="check-intro"
# ## Check your work
#
# The checks read your Ingress, your Gateway and your routes the way the controller would, and work on any
# cluster. The others ask the controller itself, so they need one: its verdict in the status of the Gateway and
# of the routes, and its answers, which kubelab reaches through the API server with the right `Host` header.

# %% key="check" tags=["check"]
lab.check()

# %% [markdown] key="stuck"
# ## Stuck?
#
# The next cell applies the reference solution; compare it with yours (`kubectl get ingress ingress-routes -o
# yaml`, `kubectl get gateway,httproutes -o yaml`). The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# The controller watches Ingresses of its class, Gateways of its GatewayClass, their HTTPRoutes, Services and
# EndpointSlices, and rewrites its configuration when any of them changes. It sends each request straight to a
# pod address taken from the EndpointSlices of the backend Service. A request for `miempresa.es/soporte/tickets`
# matches both `/` and `/soporte` under host `miempresa.es`; the longer one wins, so it goes to support. The
# path is passed on unchanged: the application receives `/soporte/tickets`. HTTPRoutes follow the same order,
# written into the specification: the exact host name first, then the longest path.

# %% [markdown] key="mistake-rewrite"
# ## Common mistakes
#
# **Backends that know nothing of the path.** Neither an Ingress nor a route strips `/soporte`. An nginx serving
# static files answers `/soporte/tickets` with 404 unless it has such a folder. Either the application serves its
# pages under that path, or the path must be rewritten: an HTTPRoute has a standard `URLRewrite` filter, while an
# Ingress needs an annotation of its controller. The applications of this lab answer every path, so that the
# rules are all you test.

# %% [markdown] key="mistake-exact"
# **`pathType: Exact` for a section.** Exact matches `/soporte` and nothing else: `/soporte/tickets` falls through
# to the next matching path, here the shop. Use Prefix for a section of a site.

# %% [markdown] key="mistake-class"
# **A class no controller serves.** An Ingress of class `nginx` on a cluster that runs only Traefik is stored and
# ignored: no address, no error. `kubectl get ingressclass` lists the classes that exist. A Gateway of an unknown
# GatewayClass is ignored the same way, but its status says so: it stays `Accepted: Unknown`.

# %% [markdown] key="mistake-host"
# **Typos in host names.** Hosts match exactly: `soporte.miempresa.com` never matches a request for
# `soporte.miempresa.es`, and Traefik answers 404. A route whose host names do not fit its Gateway's listeners is
# not accepted (NoMatchingListenerHostname).

# %% [markdown] key="mistake-parent"
# **A route attached to nothing.** An HTTPRoute takes effect only on the Gateways its `parentRefs` name. A typo
# in the name leaves it without status; a Gateway in another namespace only accepts it if its listeners'
# `allowedRoutes` say so. A backend in another namespace also needs a **ReferenceGrant** in that namespace, or
# the route says `ResolvedRefs: False` (RefNotPermitted).

# %% [markdown] key="mistake-macos"
# **Nothing answers on macOS or Windows.** With minikube's docker driver, the node's address is not reachable
# from your computer; run `minikube tunnel` in a terminal and use 127.0.0.1, or use `port-forward` as above.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
