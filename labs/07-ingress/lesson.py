# %% [markdown] key="title"
# # Ingress: one entrance, rules by host and by path

# %% [markdown] key="objectives"
# Your cluster runs several web applications, and visitors should reach all of them through one address, sorted
# by the name they typed and the path they asked for. In this lab you write those sorting rules. By the end you
# will be able to:
#
# - tell an **ingress controller** (the program at the door) from an **Ingress** (the rules it follows);
# - send a whole host name to one Service, and one path of another host to the same Service;
# - predict which rule wins for a request, and avoid the path traps;
# - test the rules through the controller with a `Host` header.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab: it creates the namespace and two small web applications, `ingress-shop` and
# `ingress-support`, each behind a Service on port 80. The second makes that namespace kubectl's default.

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
# controller**: a reverse proxy (nginx, HAProxy, Envoy, Traefik…) running in pods, reachable from outside the
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
# An Ingress does nothing without a controller. On minikube, the `ingress` addon installs ingress-nginx in the
# namespace `ingress-nginx`, and an **IngressClass** called `nginx` that says "the Ingresses of class nginx are
# mine". Enable it once per cluster, then wait for the controller to be ready.

# %% key="enable-ingress" tags=["needs-minikube"]
!minikube addons enable ingress

# %% key="wait-controller" tags=["needs-data-plane"]
!kubectl wait --namespace ingress-nginx --for=condition=Ready pod --selector=app.kubernetes.io/component=controller --timeout=180s
!kubectl get ingressclass

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
# - name `ingress-routes`, with `ingressClassName: nginx`;
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
timeout 10 kubectl port-forward -n ingress-nginx service/ingress-nginx-controller 8080:80 >/dev/null &
sleep 3
curl -s -H 'Host: soporte.miempresa.es' http://localhost:8080/tickets
curl -s -H 'Host: miempresa.es' http://localhost:8080/soporte/tickets
curl -s -H 'Host: miempresa.es' http://localhost:8080/ofertas
wait

# %% [markdown] key="check-intro"
# ## Check your work
#
# The first checks read your Ingress the way the controller would, and work on any cluster. The last two ask
# the controller itself, so they need one; kubelab reaches it through the API server with the right `Host`
# header.

# %% key="check" tags=["check"]
lab.check()

# %% [markdown] key="stuck"
# ## Stuck?
#
# The next cell applies the reference solution; compare it with yours (`kubectl get ingress ingress-routes -o
# yaml`). The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# The controller watches Ingresses of its class, Services and EndpointSlices, and rewrites its nginx
# configuration when any of them changes. It sends each request straight to a pod address taken from the
# EndpointSlices of the backend Service. A request for `miempresa.es/soporte/tickets` matches both `/` and
# `/soporte` under host `miempresa.es`; the longer one wins, so it goes to support. The path is passed on
# unchanged: the application receives `/soporte/tickets`.

# %% [markdown] key="mistake-rewrite"
# ## Common mistakes
#
# **Backends that know nothing of the path.** The Ingress does not strip `/soporte`. An nginx serving static
# files answers `/soporte/tickets` with 404 unless it has such a folder. Either the application serves its
# pages under that path, or the controller must rewrite it (ingress-nginx's `rewrite-target` annotation).
# The applications of this lab answer every path, so that the rules are all you test.

# %% [markdown] key="mistake-exact"
# **`pathType: Exact` for a section.** Exact matches `/soporte` and nothing else: `/soporte/tickets` falls through
# to the next matching path, here the shop. Use Prefix for a section of a site.

# %% [markdown] key="mistake-class"
# **A class no controller serves.** An Ingress of class `traefik` on a cluster that runs only ingress-nginx is
# stored and ignored: no address, no error. `kubectl get ingressclass` lists the classes that exist.

# %% [markdown] key="mistake-host"
# **Typos in host names.** Hosts match exactly: `soporte.miempresa.com` never matches a request for
# `soporte.miempresa.es`, and nginx answers 404.

# %% [markdown] key="mistake-webhook"
# **"failed calling webhook validate.nginx.ingress.kubernetes.io".** Right after `minikube addons enable
# ingress`, the controller is not ready to validate Ingresses yet. Wait for its pod (the `kubectl wait` above)
# and apply again. The webhook also refuses a host and path that another Ingress already claims.

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
