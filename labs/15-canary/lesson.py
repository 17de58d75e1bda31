# %% [markdown] key="title"
# # Canary releases: a new version for a share of the traffic

# %% [markdown] key="objectives"
# A new version of an application can pass every test and still misbehave in front of real visitors. A
# **canary release** limits the damage: the new version first serves a small share of the requests, and the
# share grows only while everything goes well. In this lab you run two versions side by side and let the ingress
# controller split the traffic between them. By the end you will be able to:
#
# - run a new version next to the stable one, each with its own Deployment and Service;
# - mark a second Ingress as the **canary** of the first one, for the same host and path;
# - set the share of requests it receives with a **weight**, and move it 1% → 10% → 100% (or back to 0%);
# - measure the split from outside, and know how far the count may stray from the weight by pure chance.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab: it creates the namespace and the **stable** version of a mortgage calculator
# site, `canary-stable` (two replicas behind a Service), with an Ingress `canary-main` that sends every request
# for `hipotecas.example` to it. The second cell makes that namespace kubectl's default.

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
# ## How ingress-nginx splits the traffic
#
# Each version has its own Deployment and Service. The main Ingress sends the site to the stable Service, as in
# the ingress lab. The canary is a **second Ingress** with exactly the same host and path, pointing at the new
# Service, and two annotations:
#
# - `nginx.ingress.kubernetes.io/canary: "true"`: "I am the canary of the Ingress with the same host and path";
# - `nginx.ingress.kubernetes.io/canary-weight: "10"`: "send me 10 requests in 100, drawn at random".
#
# The controller merges the two: for every request to `hipotecas.example/`, it draws a number, and sends the
# request to the canary's Service with the probability the weight gives, otherwise to the main one. Other
# annotations choose by header or by cookie instead (handy for testers), but the weight is what a progressive
# release uses.

# %% [markdown] key="step-controller"
# ## The controller at the door
#
# The split is the ingress controller's work, so it needs one. On minikube, enable the `ingress` addon once and
# wait for the controller to be ready.

# %% key="enable-ingress" tags=["needs-minikube"]
!minikube addons enable ingress

# %% key="wait-controller" tags=["needs-data-plane"]
!kubectl wait --namespace ingress-nginx --for=condition=Ready pod --selector=app.kubernetes.io/component=controller --timeout=180s

# %% [markdown] key="step-stable"
# ## The stable version
#
# Each version answers every request with its own name, so you can always tell who served you. Look at what the
# lab created: the Deployment, its Service, and the main Ingress.

# %% key="get-stable"
!kubectl rollout status deployment/canary-stable --timeout=120s
!kubectl get deployments,services,ingress
!kubectl describe ingress canary-main

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
# Now the canary Ingress: same host, same path, the new Service as backend, and a weight of 1. Annotation values
# are always strings, so the numbers are quoted.

# %% key="apply-canary"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: canary-new
  annotations:
    nginx.ingress.kubernetes.io/canary: "true"
    nginx.ingress.kubernetes.io/canary-weight: "1"
spec:
  ingressClassName: nginx
  rules:
    - host: hipotecas.example
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: canary-new
                port:
                  number: 80
EOF
kubectl get ingress

# %% [markdown] key="step-count"
# ## Counting who answers
#
# The next cell connects your port 8080 to the controller for a few seconds, sends 200 requests with the `Host`
# header of the site, and counts the answers of each version. With a weight of 1, expect `canary-new` about twice
# in 200, and quite often zero or four times: at 1%, chance rules.

# %% key="count-answers" tags=["needs-data-plane"]
%%bash
timeout 40 kubectl port-forward -n ingress-nginx service/ingress-nginx-controller 8080:80 >/dev/null &
sleep 3
for i in $(seq 200); do curl -s -H 'Host: hipotecas.example' http://localhost:8080/; done | sort | uniq -c
kill $! 2>/dev/null; wait

# %% [markdown] key="exercise-intro"
# ## Exercise: the second step
#
# Version 2 behaved well on 1% of the traffic. Move the canary to the next step: **10%** of the requests. Change
# only the canary Ingress `canary-new`; the main Ingress keeps sending the rest to `canary-stable`.
#
# Write your command above the `kubectl get ingress` line of the next cell: either apply the manifest again with a
# new weight, or change the annotation in place with `kubectl annotate … --overwrite`. Then run the counting cell
# above again: about 20 answers in 200 should come from `canary-new`.

# %% key="exercise-weight"
%%bash
kubectl get ingress canary-new -o jsonpath='{.metadata.annotations}'

# %% [markdown] key="check-intro"
# ## Check your work
#
# The first checks read your Deployments and Ingresses as the controller would, and work on any cluster. The
# last one asks the controller itself: it sends 200 requests and counts how many reach the new version. The
# count varies from run to run; the check accepts 8 to 35, a range a true 10% split leaves only once in a
# thousand runs, while a 1% split almost never reaches it.

# %% key="check" tags=["check"]
lab.check()

# %% [markdown] key="stuck"
# ## Stuck?
#
# The next cell applies the reference solution; compare it with yours (`kubectl get ingress canary-new -o
# yaml`). The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="step-promote"
# ## The last steps: 100%, or back to 0%
#
# Run this part after the checks: it changes the weight they look for. When the canary has convinced you, a
# weight of **100** sends every request to the new version; the stable one still runs, ready to take over again.

# %% key="promote"
!kubectl annotate ingress canary-new nginx.ingress.kubernetes.io/canary-weight=100 --overwrite

# %% [markdown] key="step-rollback"
# If the canary had gone wrong instead, **0** sends everything back to the stable version at once, without
# deleting anything. Once a release is complete, the usual end is to give the stable Deployment the new version
# (its image or its arguments), then to delete the canary Ingress and the `canary-new` Deployment: the next
# release starts from there.

# %% key="rollback"
!kubectl annotate ingress canary-new nginx.ingress.kubernetes.io/canary-weight=0 --overwrite
!kubectl get ingress canary-new -o jsonpath='{.metadata.annotations}'

# %% [markdown] key="debrief-why"
# ## Why it works
#
# Neither Service knows about the other, and neither Deployment knows it is part of a release. The controller
# alone reads both Ingresses, sees that one is the canary of the other (same host, same path), and builds one
# nginx upstream choice out of them: for each request, a random draw against the weight. Changing the weight is a
# change to one annotation, which the controller applies within seconds, with no pod restarted. That is why
# rolling forward and rolling back are equally cheap.

# %% [markdown] key="debrief-statistics"
# Each request is drawn on its own, so 200 requests at 10% do not give exactly 20 canary answers: the count
# follows a binomial distribution, with a standard deviation of about 4. Judge a canary on enough requests, and
# on error rates rather than on a handful of visits.

# %% [markdown] key="mistake-host"
# ## Common mistakes
#
# **A different host or path.** The canary must repeat the main Ingress's host and path exactly. With
# `www.hipotecas.example`, the controller sees an unrelated Ingress with no main one, and the split never
# happens.

# %% [markdown] key="mistake-quotes"
# **Unquoted numbers.** `canary-weight: 10` is a number in YAML, and Kubernetes refuses an annotation that is not a
# string. Write `"10"`.

# %% [markdown] key="mistake-total"
# **The weight is out of 100.** Unless the annotation `canary-weight-total` says otherwise, `"10"` means 10%. A
# weight of 1 with a total of 1000 would be 0.1%.

# %% [markdown] key="mistake-canary-only"
# **Forgetting the annotation `canary: "true"`.** Two ordinary Ingresses for the same host and path conflict:
# ingress-nginx's admission webhook refuses the second one, or one of them silently wins.

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
