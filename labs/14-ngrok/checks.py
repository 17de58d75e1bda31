"""Checks of the ngrok lab: the authtoken in a Secret and only referenced, the agent pointed at the web Service
that serves the page; with internet, the agent connected, its public HTTPS URL, and the page (with its nonce)
fetched through that URL."""

import re
from datetime import datetime, timedelta, timezone

from checkers import N_, Context, check, failed, labels_match, not_yet, passed
from checkers.kube import STUCK, containers, ready_endpoints, there_is_no, waiting_reasons
from checkers.probes import Verdict, http_status, ngrok_endpoint, published, upstream_matches
from checkers.semantics import decoded, effective_env, mounts_of, plaintext_places

AGENT, WEB, PAGE, TOKEN_SECRET, TOKEN_KEY = "ngrok-agent", "ngrok-web", "ngrok-web-page", "ngrok-authtoken", "token"
API_PORT, WEB_PORT = 4040, 80
WEB_ROOT = "/usr/share/nginx/html"  # where nginx serves the page from
TOKEN_SHAPE = re.compile(r"^(?=.*[0-9])(?=.*[a-z])[A-Za-z0-9_-]{20,}$")  # ~50 letters, digits, _ and -
STABLE = timedelta(seconds=30)  # an agent with a bad token exits within seconds
INTERNET = {"data_plane": True, "internet": True}


def _agent(ctx: Context):
    """(the agent Deployment, its first container), or (None, None, an outcome saying it is missing)."""
    deployment = ctx.view.get("deployments", AGENT)
    found = containers({"spec": (((deployment or {}).get("spec") or {}).get("template") or {}).get("spec") or {}})
    if not found:
        return None, None, there_is_no(
            "Deployment", AGENT, expected="Deployment",
            hints=(N_("`kubectl get deployments` lists what exists."),
                   N_("Apply the agent's Deployment of the lesson; its name must be {name}.")))
    return deployment, found[0], None


def _token(ctx: Context) -> str:
    return decoded(ctx.view.get("secrets", TOKEN_SECRET), TOKEN_KEY)


def _agent_pod(ctx: Context) -> dict | None:
    """The agent's newest Running pod."""
    deployment = ctx.view.get("deployments", AGENT) or {}
    selector = ((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels")
    pods = [p for p in ctx.view.list("pods") if labels_match(selector, p["metadata"].get("labels"))
            and (p.get("status") or {}).get("phase") == "Running"]
    return max(pods, key=lambda p: p["metadata"].get("creationTimestamp", ""), default=None)


def _agent_api(ctx: Context, pod: dict):
    """A Fetch to the agent's local API through the API server's pod proxy (Host: localhost, which it accepts)."""
    return lambda path: ctx.view.proxy_get("pods", pod["metadata"]["name"], API_PORT, path, host="localhost")


@check(N_("The authtoken is in Secret ngrok-authtoken"))
def token_secret(ctx: Context):
    secret, token = ctx.view.get("secrets", TOKEN_SECRET), _token(ctx)
    if secret is not None and TOKEN_SHAPE.match(token):
        return passed(N_("Secret {name} holds a value shaped like an authtoken ({length} characters)."),
                      name=TOKEN_SECRET, length=len(token))
    return failed(N_("Secret {name} has no authtoken under the key {key}."), name=TOKEN_SECRET, key=TOKEN_KEY,
                  expected=N_("an authtoken (20 or more letters and digits)"),
                  found=N_("nothing") if secret is None else N_("another value"),
                  hints=(N_("Your authtoken is on the ngrok dashboard, under Your Authtoken."),
                         N_("Put it in an environment variable (NGROK_AUTHTOKEN) before starting Jupyter, never in "
                            "the notebook."),
                         N_("`kubectl create secret generic {name} --from-literal={key}=\"$NGROK_AUTHTOKEN\"`")))


@check(N_("The agent receives the authtoken by reference only"), points=2)
def token_by_reference(ctx: Context):
    deployment, container, missing = _agent(ctx)
    if missing:
        return missing
    token = _token(ctx)
    texts = (container.get("command") or []) + (container.get("args") or [])
    # the token anywhere in the Deployment (env, arguments, annotations, even inside a longer text), or the flag
    inline = bool(plaintext_places(ctx.view, [deployment], {token} if token else set(), configmaps=False)) \
        or any("--authtoken" in str(t) for t in texts)
    variable = effective_env(container, ctx.view)[0].get("NGROK_AUTHTOKEN")
    source = (variable.kind, variable.source, variable.key) if variable else None
    if not inline and source == ("secret", TOKEN_SECRET, TOKEN_KEY):
        return passed(N_("The agent takes NGROK_AUTHTOKEN from Secret {name}."), name=TOKEN_SECRET)
    return failed(N_("The agent does not take NGROK_AUTHTOKEN from Secret {name}, key {key}, alone."),
                  name=TOKEN_SECRET, key=TOKEN_KEY, expected="valueFrom.secretKeyRef",
                  found=N_("the token written in the Deployment") if inline else N_("no reference"),
                  hints=(N_("A token written in a Deployment is readable by anyone who can read it, and ends up "
                            "in Git: whoever has it can publish on your account."),
                         N_("Give the variable NGROK_AUTHTOKEN `valueFrom: secretKeyRef`; no --authtoken argument."),
                         N_("`- name: NGROK_AUTHTOKEN`, `valueFrom:`, `secretKeyRef:`, `name: {name}`, `key: {key}`.")))


@check(N_("The web server serves the page from the ConfigMap"))
def web_serves_page(ctx: Context):
    deployment = ctx.view.get("deployments", WEB) or {}
    pod_spec = ((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}
    mounted = any(m.path == WEB_ROOT for m in mounts_of({"spec": pod_spec}, "configMap", PAGE))
    page = ((ctx.view.get("configmaps", PAGE) or {}).get("data") or {}).get("index.html", "").strip()
    hints = (N_("The page is the ConfigMap {page}, key index.html, holding a random value."),
             N_("Mount it as a `configMap` volume at /usr/share/nginx/html."),
             N_("`kubectl describe deployment {name}` shows the mounts."))
    if not (mounted and len(page) >= 16):
        return failed(N_("Deployment {name} does not serve ConfigMap {page} with a random page."), name=WEB, page=PAGE,
                      expected=N_("a configMap volume"), found=N_("no such mount") if not mounted else N_("no page"),
                      hints=hints)
    if (deployment.get("status") or {}).get("readyReplicas", 0) < 1:
        return not_yet(N_("Deployment {name} has no ready pod yet."), name=WEB, page=PAGE, expected=1, found=0,
                       hints=hints)
    return passed(N_("Deployment {name} serves the page of ConfigMap {page}."), name=WEB, page=PAGE)


@check(N_("The agent forwards to the web Service, which has ready pods"), points=2)
def agent_targets_web(ctx: Context):
    _, container, missing = _agent(ctx)
    if missing:
        return missing
    arguments = [str(a) for a in (container.get("command") or []) + (container.get("args") or [])]
    hints = (N_("`ngrok http <upstream>` forwards the public URL's traffic to the upstream."),
             N_("The upstream is the Service's name and port, as the agent's pod sees them."),
             N_("Give the agent the arguments `http http://{name}:80`."))
    if not any(upstream_matches(a, WEB, ctx.namespace, WEB_PORT) for a in arguments if "/" in a or ":" in a):
        return failed(N_("The agent does not forward to Service {name} on port {port}."), name=WEB, port=WEB_PORT,
                      expected=f"http://{WEB}:{WEB_PORT}", found=" ".join(arguments) or "-", hints=hints)
    if not ready_endpoints(ctx.view, WEB):
        return not_yet(N_("Service {name} has no ready pods yet."), name=WEB, port=WEB_PORT,
                       expected=N_("ready endpoints"), found="0", hints=hints)
    return passed(N_("The agent forwards to Service {name}, which has ready pods."), name=WEB, port=WEB_PORT)


@check(N_("The agent is connected to ngrok (Ready, no recent restart)"), needs=INTERNET, settle=60)
def agent_connected(ctx: Context):
    pod = _agent_pod(ctx)
    statuses = ((pod or {}).get("status") or {}).get("containerStatuses") or []
    hints = (N_("`kubectl logs deploy/{name}` shows why the agent stops: ERR_NGROK_4018 is a bad authtoken."),
             N_("The agent also stops when the cluster cannot reach the internet."),
             N_("Free accounts allow few agents at once: stop the others (ERR_NGROK_108)."))
    stuck = [r for r in waiting_reasons(pod or {}) if r in STUCK]
    if stuck:
        return failed(N_("The agent cannot run: {reason}."), reason=stuck[0], name=AGENT, expected="Running",
                      found=stuck[0], hints=hints)
    if not statuses or not all(s.get("ready") for s in statuses):
        return not_yet(N_("The agent's pod is not ready."), name=AGENT, expected="Ready", found=N_("not ready"),
                       hints=hints)
    finished = [((s.get("lastState") or {}).get("terminated") or {}).get("finishedAt") for s in statuses]
    last = max((datetime.fromisoformat(f.replace("Z", "+00:00")) for f in finished if f), default=None)
    if last and datetime.now(timezone.utc) - last < STABLE:
        return not_yet(N_("The agent restarted {seconds} seconds ago."), name=AGENT, expected=N_("stable"),
                       seconds=int((datetime.now(timezone.utc) - last).total_seconds()), found=N_("restarting"),
                       hints=hints)
    return passed(N_("The agent has been connected for at least {seconds} seconds."), seconds=int(STABLE.seconds))


@check(N_("The agent's API shows a public HTTPS URL leading to the web Service"), points=2, needs=INTERNET)
def public_url_published(ctx: Context):
    pod = _agent_pod(ctx)
    if pod is None:
        return failed(N_("The agent has no running pod to ask."), expected=N_("a running pod"), found=N_("nothing"),
                      hints=(N_("`kubectl get pods -l app={name}` shows its pods."),), name=AGENT)
    return ngrok_endpoint(_agent_api(ctx, pod), WEB, ctx.namespace, WEB_PORT)


@check(N_("The public URL serves the page with its nonce"), points=2, needs=INTERNET)
def public_url_serves_page(ctx: Context):
    pod = _agent_pod(ctx)
    try:
        urls = [url for url, _ in published(_agent_api(ctx, pod)) if url.startswith("https://")] if pod else []
    except Verdict as stop:  # the agent's API did not answer
        return stop.outcome
    nonce = ((ctx.view.get("configmaps", PAGE) or {}).get("data") or {}).get("index.html", "").strip()
    if not urls or len(nonce) < 16:
        return failed(N_("There is no public URL or no page to compare."), expected=N_("a URL and a page"),
                      found=N_("nothing"), hints=(N_("First make the checks above pass."),))
    return http_status(urls[0], 200, contains=nonce.encode(), timeout=10,
                       headers={"ngrok-skip-browser-warning": "1", "User-Agent": "kubelab-checker"})
