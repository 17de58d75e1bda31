# %% [markdown] key="title"
# # Canary releases: a new version for a share of the traffic

# %% [markdown] key="objectives"
# A new version of an application can pass every test and still misbehave in front of real visitors. A
# **canary release** limits the damage: the new version first serves a small share of the requests, and the
# share grows only while everything goes well. In this lab you run two versions side by side and let the
# Gateway split the traffic between them. By the end you will be able to:
#
# - run a new version next to the stable one, each with its own Deployment and Service;
# - split one HTTPRoute's traffic between them with **backendRefs weights**, and move the split 1% → 10% → 50%
#   → 100% (or back to 0%);
# - read the controller's verdict on a route (its Accepted and ResolvedRefs conditions);
# - measure the split from outside, and know how far the count may stray from the weights.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab: it creates the namespace and the **stable** version of a mortgage calculator
# site, `canary-stable` (two replicas behind a Service), a Gateway `canary-gateway` that receives the requests
# for `hipotecas.example`, and an HTTPRoute `canary-route` that sends all of them to the stable version. The
# second cell makes that namespace kubectl's default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("15-canary")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-canary"
# ## One customer in a hundred
#
# Picture the bank that runs this mortgage calculator. Version 2 is ready, with a new way of computing the
# rates. Switching every customer at once is a gamble: if the new formula is wrong, everyone gets a wrong offer.
# So the bank sends **one customer in a hundred** to version 2 and keeps the other ninety-nine on version 1.
# Nobody complains? One in ten. Still fine? One in five, then everybody. Something is wrong? Back to nobody,
# within seconds, while the bug is fixed.
#
# The name comes from the canaries miners once carried underground: the bird felt bad air first, and warned
# everyone else. The few requests that reach the new version are your canary.
#
# One condition: both versions run **at the same time**, against the same data, and a visitor may meet version
# 1 on one click and version 2 on the next. The new version must be built for that (no database change the old
# one cannot read, for instance).

# %% [markdown] key="concept-how"
# ## How the Gateway API splits the traffic
#
# Each version has its own Deployment and Service. The **Gateway** is the entrance (as in the ingress lab), and
# an **HTTPRoute** attached to it says where the requests for `hipotecas.example/` go. A route's rule can list
# several `backendRefs`, each with a **weight**:
#
# ```yaml
# backendRefs:
#   - name: canary-stable
#     port: 80
#     weight: 90
#   - name: canary-new
#     port: 80
#     weight: 10
# ```
#
# Each backend receives its weight divided by the sum of the weights: here 90 and 10 requests in 100. The
# weights are part of the standard API, so the same route works with any Gateway API implementation. Ingress
# has no such field: each controller invented its own annotations, and the best known of them, ingress-nginx,
# was retired in March 2026 (no more releases or security fixes). The Gateway API is its successor.

# %% [markdown] key="step-controller"
# ## The controller at the door
#
# The split is the work of the Gateway's controller: here **Traefik**, which serves the GatewayClass `traefik`.
# `kubelab up` installs it (on minikube as a Deployment in the namespace `traefik`; on the embedded cluster on
# its real node). The next cell shows the class and the Gateway: the controller marks both as accepted.

# %% key="wait-controller" tags=["needs-data-plane"]
!kubectl get gatewayclass traefik
!kubectl get gateway canary-gateway

# %% [markdown] key="step-stable"
# ## The stable version
#
# Each version answers every request with its own name, so you can always tell who served you. Look at what the
# lab created: the Deployment, its Service, the Gateway and the route.

# %% key="get-stable"
!kubectl rollout status deployment/canary-stable --timeout=120s
!kubectl get deployments,services,gateways,httproutes
!kubectl describe httproute canary-route

# %% [markdown] key="step-new"
# ## The new version
#
# Deploy version 2 next to version 1: a Deployment `canary-new` with one replica, and a Service of the same name.
# Nothing sends it traffic yet.

# %% key="apply-new"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: canary-new
spec:
  replicas: 1
  selector:
    matchLabels:
      app: canary-new
  template:
    metadata:
      labels:
        app: canary-new
    spec:
      containers:
        - name: echo
          image: hashicorp/http-echo:1.0.0
          args: ["-listen=:5678", "-text=canary-new"]
          ports:
            - name: http
              containerPort: 5678
---
apiVersion: v1
kind: Service
metadata:
  name: canary-new
spec:
  selector:
    app: canary-new
  ports:
    - name: http
      port: 80
      targetPort: http
EOF
kubectl rollout status deployment/canary-new --timeout=120s

# %% [markdown] key="step-one-percent"
# ## First step: 1%
#
# Now the split: the same route, with the new Service as a second backend. Weights 99 and 1 send it one
# request in a hundred.

# %% key="apply-canary"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: canary-route
spec:
  parentRefs:
    - name: canary-gateway
  hostnames: ["hipotecas.example"]
  rules:
    - matches:
        - path:
            type: PathPrefix
            value: /
      backendRefs:
        - name: canary-stable
          port: 80
          weight: 99
        - name: canary-new
          port: 80
          weight: 1
EOF
kubectl get httproute canary-route -o jsonpath='{.spec.rules[0].backendRefs}'

# %% [markdown] key="step-count"
# ## Counting who answers
#
# The next cell connects your port 8080 to the controller for a few seconds, sends 200 requests with the `Host`
# header of the site, and counts the answers of each version. With a weight of 1 in 100, expect `canary-new`
# about twice in 200.

# %% key="count-answers" tags=["needs-data-plane"]
%%bash
timeout 40 kubectl port-forward -n traefik service/traefik 8080:80 >/dev/null &
sleep 3
for i in $(seq 200); do curl -s -H 'Host: hipotecas.example' http://localhost:8080/; done | sort | uniq -c
kill $! 2>/dev/null; wait

# %% [markdown] key="exercise-intro"
# ## Exercise: the second step
#
# Version 2 behaved well on 1% of the traffic. Move the canary to the next step: **10%** of the requests. Change
# only the weights of the route `canary-route`: the stable version keeps the rest.
#
# Write your command above the `kubectl get httproute` line of the next cell: apply the route again with new
# weights, or change them in place with `kubectl edit httproute canary-route`. Then run the counting cell above
# again: about 20 answers in 200 should come from `canary-new`.

# %% key="exercise-weight"
%%bash
kubectl get httproute canary-route -o jsonpath='{.spec.rules[0].backendRefs}'

# %% [markdown] key="check-intro"
# ## Check your work
#
# The first checks read your Deployments and your route, and work on any cluster. The next one reads the
# controller's verdict on the route: it must be **Accepted** (the route fits the Gateway) with **ResolvedRefs**
# (every backend exists). The last one sends 400 requests through the Gateway and counts how many reach the new
# version. It accepts a range so wide that a split done right falls outside it less than once in a billion runs
# (a binomial bound); Traefik's weighted round robin does not even draw at random, so its count is always close
# to 40.

# %% key="check" tags=["check"]
lab.check()

# %% [markdown] key="stuck"
# ## Stuck?
#
# The next cell applies the reference solution; compare it with yours (`kubectl get httproute canary-route -o
# yaml`). The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="step-promote"
# ## The last steps: 50%, 100%, or back to 0%
#
# Run this part after the checks: it changes the weights they look for. While the canary convinces you, move
# on to half of the traffic, then to all of it; the stable version still runs, ready to take over again. A JSON
# patch changes just the two weights.

# %% key="promote"
!kubectl patch httproute canary-route --type=json -p='[{"op":"replace","path":"/spec/rules/0/backendRefs/0/weight","value":50},{"op":"replace","path":"/spec/rules/0/backendRefs/1/weight","value":50}]'
!kubectl patch httproute canary-route --type=json -p='[{"op":"replace","path":"/spec/rules/0/backendRefs/0/weight","value":0},{"op":"replace","path":"/spec/rules/0/backendRefs/1/weight","value":100}]'

# %% [markdown] key="step-rollback"
# If the canary had gone wrong instead, a weight of **0** for the new version sends everything back to the
# stable one at once, without deleting anything. Once a release is complete, the usual end is to give the stable
# Deployment the new version (its image or its arguments), then to remove the second backendRef and delete the
# `canary-new` Deployment: the next release starts from there.

# %% key="rollback"
!kubectl patch httproute canary-route --type=json -p='[{"op":"replace","path":"/spec/rules/0/backendRefs/0/weight","value":100},{"op":"replace","path":"/spec/rules/0/backendRefs/1/weight","value":0}]'
!kubectl get httproute canary-route -o jsonpath='{.spec.rules[0].backendRefs}'

# %% [markdown] key="debrief-why"
# ## Why it works
#
# Neither Service knows about the other, and neither Deployment knows it is part of a release. The controller
# alone reads the route, checks that it fits a listener of the Gateway (then writes `Accepted`), finds each
# backend Service (then writes `ResolvedRefs`), and builds one weighted choice out of them. Changing a weight is
# a change to one field of one object, which the controller applies within seconds, with no pod restarted. That
# is why rolling forward and rolling back are equally cheap.

# %% [markdown] key="debrief-statistics"
# Traefik spreads the requests by **weighted round robin**, in a fixed order: of 100 requests in a row, 10 (give or
# take one) reach a backend of weight 10 out of 100. Other implementations draw each request at random; then 200
# requests at 10% give about 20 canary answers, give or take 4 (a binomial distribution). Judge a canary on enough
# requests, and on error rates rather than on a handful of visits.

# %% [markdown] key="mistake-host"
# ## Common mistakes
#
# **A host name the Gateway does not listen for.** The listener of `canary-gateway` accepts `hipotecas.example`
# only. A route for `www.hipotecas.example` does not fit it: the controller marks it `Accepted: False`
# (NoMatchingListenerHostname) and the site keeps its old rules. `kubectl describe httproute` shows the reason.

# %% [markdown] key="mistake-parent"
# **A wrong parentRef.** A route takes effect only on the Gateways its `parentRefs` name. A typo in the name, or a
# Gateway of another namespace that does not allow routes from yours, leaves the route without a parent: no
# status at all, or `Accepted: False`.

# %% [markdown] key="mistake-total"
# **The weights are not percentages.** Each backend gets its weight divided by the sum of the weights: 9 and 1
# give 10%, and so do 90 and 10. A backendRef without a weight weighs 1, so adding one carelessly shifts the
# split.

# %% [markdown] key="mistake-backend"
# **A backend that cannot serve.** A backendRef to a Service that does not exist, or to a port it lacks, gives
# `ResolvedRefs: False`, and the requests of its share get an error (500) instead of the new version. A Service
# whose selector finds no pods gives 503s. Follow the chain: backendRef → Service → selector → ready pods.

# %% [markdown] key="mistake-compatibility"
# **A new version that cannot live with the old one.** During the release both answer the same visitors and share
# the same data. A version 2 that changes the database schema in a way version 1 cannot read breaks the stable
# version too.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
