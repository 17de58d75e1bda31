# %% [markdown] key="title"
# # ngrok: publish a Service on the internet

# %% [markdown] key="objectives"
# Your cluster sits on a laptop or behind a campus firewall: nobody outside can reach its Services. ngrok
# gives a Service a public HTTPS address without opening any port. By the end of this lab you will be able to:
#
# - run the ngrok agent as a Deployment that forwards a public URL to a Service;
# - keep the agent's authtoken in a Secret, taken from your environment, never written in a notebook or in git;
# - read the agent's local API to find the public URL and where it leads;
# - prove, with a value only you know, that the internet really reaches your pod.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab and creates its namespace; the second makes it kubectl's default. This lab needs
# a free ngrok account and a cluster that can reach the internet. Without them, you can still write every
# object, and the checks that need the internet say that they were skipped.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("14-ngrok")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-door"
# ## A door that opens from the inside
#
# An ingress controller is an entrance in the cluster's own wall: someone has to open that wall to the street
# (a public IP, a firewall rule). ngrok works the other way round. The **agent** runs inside, opens one
# connection *out* to ngrok's servers, and keeps it open. ngrok gives it a public address, such as
# `https://something.ngrok-free.app`; each request that arrives there travels back down the agent's connection,
# and the agent passes it to its **upstream**, here a Service. Nothing on your side listens to the internet.

# %% [markdown] key="concept-token"
# ## The authtoken is a key to your account
#
# The agent logs in with your **authtoken**. Whoever holds it can publish anything under your account, so it
# belongs in a Secret, taken from an environment variable, and nowhere else: not in a notebook, not in a
# manifest, not in git. ngrok also offers a Kubernetes **operator**, which turns Ingress objects or its own
# `AgentEndpoint` objects into public endpoints and needs an API key besides the authtoken. This lab uses the
# plain agent, which shows every moving part.

# %% [markdown] key="step-page"
# ## A page only you know
#
# The page to publish holds a random value (a *nonce*), generated now and kept in a ConfigMap. If that exact
# value comes back through the public URL, the request really went through ngrok to your pod. Then the web
# server serves the ConfigMap as its folder, behind the Service `ngrok-web`.

# %% key="make-page"
%%bash
kubectl create configmap ngrok-web-page --from-literal=index.html="kubelab-$(openssl rand -hex 12)" \
  --dry-run=client -o yaml | kubectl apply -f -

# %% key="apply-web"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ngrok-web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ngrok-web
  template:
    metadata:
      labels:
        app: ngrok-web
    spec:
      containers:
        - name: nginx
          image: nginx:1.30-alpine
          ports:
            - name: http
              containerPort: 80
          volumeMounts:
            - name: page
              mountPath: /usr/share/nginx/html
              readOnly: true
      volumes:
        - name: page
          configMap:
            name: ngrok-web-page
---
apiVersion: v1
kind: Service
metadata:
  name: ngrok-web
spec:
  selector:
    app: ngrok-web
  ports:
    - name: http
      port: 80
      targetPort: 80
EOF
kubectl rollout status deployment/ngrok-web --timeout=120s

# %% [markdown] key="step-token"
# ## The authtoken, from your environment
#
# Copy your authtoken from the ngrok dashboard ("Your Authtoken") into an environment variable before you
# start Jupyter, for example in a terminal: `export NGROK_AUTHTOKEN=...`, then `jupyter lab`. The next cell
# reads the variable and stores it in the Secret `ngrok-authtoken`; the token itself never appears here.

# %% key="make-token-secret" tags=["needs-internet"]
%%bash
test -n "$NGROK_AUTHTOKEN"
kubectl create secret generic ngrok-authtoken --from-literal=token="$NGROK_AUTHTOKEN" \
  --dry-run=client -o yaml | kubectl apply -f -
kubectl describe secret ngrok-authtoken

# %% [markdown] key="exercise-intro"
# ## Exercise: the agent
#
# Write a Deployment that matches this description:
#
# - name `ngrok-agent`, one replica, label `app: ngrok-agent`;
# - one container `ngrok`, image `ngrok/ngrok:3.37.0`, arguments
#   `["http", "http://ngrok-web:80", "--log", "stdout", "--log-format", "json"]`;
# - a variable `NGROK_AUTHTOKEN` taken from key `token` of Secret `ngrok-authtoken` (`secretKeyRef`);
# - a container port named `api`, 4040: the agent's local API.
#
# Do not set `NGROK_CONFIG`: it replaces the image's settings, and the API then listens only inside the
# container.

# %% [markdown] key="exercise-how"
# Above the `kubectl get deployments` line of the next cell, write `kubectl apply -f - <<'EOF'`, your manifest and
# a line with only `EOF`, then run the cell.

# %% key="exercise-agent"
%%bash
kubectl get deployments

# %% [markdown] key="step-logs"
# If the token is right and the cluster reaches the internet, the agent logs `started tunnel` with its URL.
# `ERR_NGROK_4018` means the authtoken was refused.

# %% key="agent-logs" tags=["needs-internet"]
%%bash
kubectl rollout status deployment/ngrok-agent --timeout=120s
kubectl logs deploy/ngrok-agent --tail=20

# %% [markdown] key="step-api"
# ## The agent's API, and the public URL
#
# The agent answers on port 4040 of its pod. The next cell forwards that port for fifteen seconds, asks
# `/api/endpoints` which public URL it serves and where it leads, then requests that URL from the internet.
# `ngrok-skip-browser-warning` skips the notice free accounts show to browsers. You should see your nonce.

# %% key="agent-api" tags=["needs-internet"]
%%bash
timeout 15 kubectl port-forward deploy/ngrok-agent 4040:4040 >/dev/null &
sleep 3
curl -s http://localhost:4040/api/endpoints
url=$(curl -s http://localhost:4040/api/endpoints | python3 -c 'import json, sys; print(json.load(sys.stdin)["endpoints"][0]["url"])')
curl -s -H 'ngrok-skip-browser-warning: 1' "$url"
kubectl get configmap ngrok-web-page -o jsonpath='{.data.index\.html}'
wait

# %% [markdown] key="check-intro"
# ## Check your work
#
# Three checks read only your objects. With internet (`KUBELAB_INTERNET=1` declares it), three more ask the
# agent's API through the API server, and fetch the public URL expecting the nonce of your ConfigMap. Without
# internet those three are skipped, each named: the agent's connection, its public URL, and the page served
# through it have not been verified.

# %% key="check" tags=["check"]
lab.check()

# %% [markdown] key="stuck"
# ## Stuck?
#
# The next cell applies the reference solution: it takes `NGROK_AUTHTOKEN` from the environment when it is set
# (otherwise a made-up value, enough only for the checks that read objects). The cell after it runs the checks
# again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# The agent's outgoing connection is all ngrok needs: no Service of type LoadBalancer, no open port, no
# firewall rule. The Deployment refers to the Secret by name and key, so the token is read by the kubelet when
# the container starts and shown to nobody else. The agent reaches the upstream by the Service's name, so the
# web pods can be replaced without the public URL changing.

# %% [markdown] key="mistake-token"
# ## Common mistakes
#
# **The token in the notebook or the manifest.** It ends up in saved outputs, in git, in screenshots. Rotate
# it on the dashboard if that happens, and use the environment variable.

# %% [markdown] key="mistake-config"
# **Setting `NGROK_CONFIG`.** The image's default settings, which open the API on all addresses, are then
# skipped: the API listens on 127.0.0.1 only and cannot be reached from outside the container.

# %% [markdown] key="mistake-agents"
# **Two agents on one account.** A free account has one development domain: a second agent asking for the
# same one is refused (`ERR_NGROK_334`), and a few agents at once is the limit (`ERR_NGROK_108`). Stop the
# ngrok you run on your laptop before starting this one.

# %% [markdown] key="mistake-upstream"
# **The wrong upstream.** The agent dials the upstream from its pod: `http://ngrok-web:80` is the Service's
# name and port, not `localhost` and not the container's port.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell. Stop the agent first if you are done with it:
# `kubectl delete deployment ngrok-agent` frees your account's endpoint.
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
