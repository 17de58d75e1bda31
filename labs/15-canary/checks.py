"""Checks of the canary lab: two Deployments, the stable Ingress, the canary Ingress's annotations and backend,
and the share of requests the ingress controller really sends to the new version."""

from math import comb

from checkers import N_, Context, check, error, failed, labels_match, not_yet, passed
from checkers.kube import there_is_no

STABLE, NEW = "canary-stable", "canary-new"
MAIN_INGRESS, CANARY_INGRESS = "canary-main", "canary-new"
HOST, PATH = "hipotecas.example", "/"
CANARY = "nginx.ingress.kubernetes.io/canary"
DEFAULT_CLASS = "ingressclass.kubernetes.io/is-default-class"
WEIGHT, WEIGHT_TOTAL = "nginx.ingress.kubernetes.io/canary-weight", "nginx.ingress.kubernetes.io/canary-weight-total"
WANTED_PERCENT = 10
CONTROLLER_NAMESPACE, CONTROLLER = "ingress-nginx", "ingress-nginx-controller"
REQUESTS = 200
FALSE_ALARM = 0.001  # the chance that a correct 10% split is failed by bad luck


def _annotations(ingress: dict) -> dict:
    return ingress["metadata"].get("annotations") or {}


def _ingress(ctx: Context, name: str):
    ingress = ctx.view.get("ingresses", name)
    if ingress is None:
        return None, there_is_no(
            "Ingress", name, expected="Ingress",
            hints=(N_("`kubectl get ingress` lists what exists."),
                   N_("Apply the Ingress of the lesson's step, then change it as the exercise asks."),
                   N_("metadata.name must be exactly {name}.")))
    return ingress, None


def _backend_for(ingress: dict, host: str, path: str) -> dict | None:
    """The Service backend a rule of ``ingress`` gives for exactly ``host`` and ``path``, or None."""
    for rule in (ingress.get("spec") or {}).get("rules") or []:
        if rule.get("host") != host:
            continue
        for entry in (rule.get("http") or {}).get("paths") or []:
            if (entry.get("path") or "/") == path:
                return (entry.get("backend") or {}).get("service") or {}
    return None


def _serves(ctx: Context, backend: dict, app: str) -> bool:
    """Whether ``backend`` names Service ``app``, one of its ports, and the Service selects the app's pods."""
    service = ctx.view.get("services", app)
    deployment = ctx.view.get("deployments", app)
    if backend.get("name") != app or service is None or deployment is None:
        return False
    port = backend.get("port") or {}
    ports = (service.get("spec") or {}).get("ports") or []
    has_port = any(p.get("port") == port.get("number") or (port.get("name") and p.get("name") == port.get("name"))
                   for p in ports)
    labels = (((deployment.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels")
    return has_port and labels_match((service.get("spec") or {}).get("selector"), labels)


def _ingress_class(ctx: Context, ingress: dict | None) -> str:
    """The class an Ingress belongs to: spec.ingressClassName, else the older annotation, else the cluster's
    default IngressClass ("" when there is none)."""
    named = (((ingress or {}).get("spec") or {}).get("ingressClassName")
             or _annotations(ingress or {"metadata": {}}).get("kubernetes.io/ingress.class"))
    if named:
        return str(named)
    return next((c["metadata"]["name"] for c in ctx.view.list("ingressclasses")
                 if (c["metadata"].get("annotations") or {}).get(DEFAULT_CLASS) == "true"), "")


def _share(ingress: dict) -> float | None:
    """The percentage of requests a canary Ingress asks for (weight out of the weight total), or None."""
    try:
        weight = int(_annotations(ingress).get(WEIGHT, "0"))
        total = int(_annotations(ingress).get(WEIGHT_TOTAL, "100"))
    except ValueError:
        return None
    return 100 * weight / total if total > 0 else None


@check(N_("Both versions are deployed and every replica is ready"), points=2)
def deployments_ready(ctx: Context):
    for name in (STABLE, NEW):
        deployment = ctx.view.get("deployments", name)
        status = (deployment or {}).get("status") or {}
        wanted = ((deployment or {}).get("spec") or {}).get("replicas", 1)
        if deployment is None:
            return there_is_no("Deployment", name, expected="Deployment",
                               hints=(N_("`kubectl get deployments` lists what exists."),
                                      N_("Apply the Deployment of the lesson's step \"The new version\".")))
        current = status.get("observedGeneration") == deployment["metadata"].get("generation")
        if not current or status.get("readyReplicas", 0) != wanted or not wanted:
            return not_yet(N_("{ready} of {wanted} replicas of {name} are ready."), name=name, wanted=wanted,
                           ready=status.get("readyReplicas", 0), expected=str(wanted),
                           found=str(status.get("readyReplicas", 0)),
                           hints=(N_("`kubectl rollout status deployment/{name} --timeout=60s` waits for it."),
                                  N_("`kubectl describe pod -l app={name}`: the Events say why a pod is not "
                                     "ready.")))
    return passed(N_("Deployments {stable} and {new} are ready."), stable=STABLE, new=NEW)


@check(N_("The main Ingress sends the site to the stable version"))
def stable_route(ctx: Context):
    ingress, missing = _ingress(ctx, MAIN_INGRESS)
    if missing:
        return missing
    backend = _backend_for(ingress, HOST, PATH) or {}
    if CANARY not in _annotations(ingress) and _serves(ctx, backend, STABLE):
        return passed(N_("Ingress {name} sends http://{host}{path} to {service}."), name=MAIN_INGRESS, host=HOST,
                      path=PATH, service=STABLE)
    return failed(N_("Ingress {name} does not send http://{host}{path} to Service {service}."), name=MAIN_INGRESS,
                  host=HOST, path=PATH, service=STABLE, expected=STABLE, found=backend.get("name") or N_("no backend"),
                  hints=(N_("The main Ingress keeps serving the stable version; only the canary Ingress changes."),
                         N_("`kubectl describe ingress {name}` shows its host, path and backend."),
                         N_("Its backend must be Service {service}, port number 80, with no canary annotation.")))


@check(N_("The canary Ingress is marked as a canary of the same host and path"), points=2)
def canary_annotated(ctx: Context):
    ingress, missing = _ingress(ctx, CANARY_INGRESS)
    if missing:
        return missing
    marked = _annotations(ingress).get(CANARY) == "true"
    same_rule = _backend_for(ingress, HOST, PATH) is not None
    main = ctx.view.get("ingresses", MAIN_INGRESS)
    classes = (_ingress_class(ctx, ingress) or N_("(none)"), _ingress_class(ctx, main) or N_("(none)"))
    if marked and same_rule and main is not None and classes[0] != classes[1]:
        return failed(N_("Ingress {name} has the class {canary_class}, but the main Ingress {main} has {main_class}."),
                      name=CANARY_INGRESS, main=MAIN_INGRESS, canary_class=classes[0], main_class=classes[1],
                      expected=classes[1], found=classes[0],
                      hints=(N_("A controller splits traffic only between Ingresses it serves: the canary must "
                                "belong to the same class as the main Ingress."),
                             N_("`kubectl get ingress` shows the CLASS of each Ingress."),
                             N_("Give {name} the same `ingressClassName` as {main}.")))
    if marked and same_rule:
        return passed(N_("Ingress {name} is a canary of http://{host}{path}."), name=CANARY_INGRESS, host=HOST,
                      path=PATH)
    hosts = [r.get("host") or "*" for r in (ingress.get("spec") or {}).get("rules") or []]
    return failed(N_("Ingress {name} is not a canary of http://{host}{path}."), name=CANARY_INGRESS, host=HOST,
                  path=PATH, expected=f"{CANARY}: \"true\", {HOST}{PATH}",
                  found=N_("canary annotation: {marked}; hosts: {hosts}"), marked=marked,
                  hosts=", ".join(hosts) or "-",
                  hints=(N_("A canary Ingress repeats the host and path of the main one; the annotation tells the "
                            "controller to split their traffic."),
                         N_("`kubectl get ingress {name} -o yaml`: look at metadata.annotations and spec.rules."),
                         N_("Annotate it with `{annotation}: \"true\"` (quoted) and use host {host}, path {path}.")),
                  annotation=CANARY)


@check(N_("The canary gets the share of traffic the exercise asks for"), points=2)
def canary_weight(ctx: Context):
    ingress, missing = _ingress(ctx, CANARY_INGRESS)
    if missing:
        return missing
    share = _share(ingress)
    if share == WANTED_PERCENT:
        return passed(N_("Ingress {name} asks for {percent}% of the requests."), name=CANARY_INGRESS,
                      percent=WANTED_PERCENT)
    asked = "?" if share is None else f"{share:g}"
    return failed(N_("Ingress {name} asks for {share}% of the requests; the exercise asks for {percent}%."),
                  name=CANARY_INGRESS, share=asked, percent=WANTED_PERCENT,
                  expected=f"{WANTED_PERCENT}%", found=f"{asked}%", hints=(
                      N_("The weight is an annotation of the canary Ingress, out of 100 unless canary-weight-total "
                         "says otherwise."),
                      N_("Annotation values are strings: quote the number."),
                      N_("`kubectl annotate ingress {name} {annotation}=\"{percent}\" --overwrite`")),
                  annotation=WEIGHT)


@check(N_("The canary Ingress sends its share to the new version"), points=2)
def canary_backend(ctx: Context):
    ingress, missing = _ingress(ctx, CANARY_INGRESS)
    if missing:
        return missing
    rules = (ingress.get("spec") or {}).get("rules") or []
    backends = [(p.get("backend") or {}).get("service") or {} for r in rules
                for p in (r.get("http") or {}).get("paths") or []]
    if backends and all(_serves(ctx, b, NEW) for b in backends):
        return passed(N_("Ingress {name} sends its requests to the pods of {service}."), name=CANARY_INGRESS,
                      service=NEW)
    return failed(N_("Ingress {name} does not send its requests to the pods of {service}."), name=CANARY_INGRESS,
                  service=NEW, expected=NEW, found=", ".join(b.get("name") or "?" for b in backends) or "-",
                  hints=(N_("Follow the chain: Ingress backend → Service and port → selector → pods."),
                         N_("`kubectl get endpointslices -l kubernetes.io/service-name={service}` lists the pods "
                            "the Service found."),
                         N_("The backend is Service {service}, port number 80, and the Service's selector is "
                            "app: {service}.")))


def acceptance(requests: int, percent: float, false_alarm: float = FALSE_ALARM) -> tuple[int, int]:
    """The counts of canary answers, out of ``requests``, that agree with a ``percent`` split.

    Without a session cookie the controller draws each request on its own: the canary answers with
    probability p = percent/100, so the number of canary answers K is binomial(n, p). The range is
    the central one whose two tails each hold at most ``false_alarm``/2 of that distribution, so a
    correct split fails by bad luck at most once in 1/false_alarm runs. For n = 200 and p = 10% it is
    8..35 (mean 20): a 1% split (mean 2) lands in it about once in 1000 runs, a 50% split never.
    """
    p = percent / 100
    pmf = [comb(requests, k) * p**k * (1 - p) ** (requests - k) for k in range(requests + 1)]
    low, tail = 0, 0.0
    while low < requests and tail + pmf[low] <= false_alarm / 2:
        tail += pmf[low]
        low += 1
    high, tail = requests, 0.0
    while high > 0 and tail + pmf[high] <= false_alarm / 2:
        tail += pmf[high]
        high -= 1
    return low, high


def _ask_controller(ctx: Context):
    """One request for http://HOST/PATH through the ingress controller: (the version that answered, None) or
    (None, an outcome saying what went wrong)."""
    status, body = ctx.view.proxy_get("services", CONTROLLER, 80, PATH, namespace=CONTROLLER_NAMESPACE, host=HOST)
    answer = body.strip().decode(errors="replace")
    if status == 200 and answer in (STABLE, NEW):
        return answer, None
    if b'"kind":"Status"' in body.replace(b" ", b""):  # the API server's own answer: the controller is missing
        return None, error(N_("The ingress-nginx controller could not be reached (HTTP {status})."), status=status)
    return None, failed(N_("http://{host}{path} answered HTTP {status}: {answer}"), host=HOST, path=PATH,
                        status=status, answer=answer[:60], expected=f"{STABLE} / {NEW}", found=answer[:60],
                        hints=(N_("A 404 means no rule matched; a 503 means a Service has no ready pods."),))


@check(N_("Through the ingress controller, about one request in ten reaches the new version"),
       needs={"ingress": True}, points=2)
def traffic_split(ctx: Context):
    counts = {STABLE: 0, NEW: 0}
    for _ in range(REQUESTS):
        answer, problem = _ask_controller(ctx)
        if problem:
            return problem
        counts[answer] += 1
    low, high = acceptance(REQUESTS, WANTED_PERCENT)
    params = dict(new=counts[NEW], requests=REQUESTS, low=low, high=high, percent=WANTED_PERCENT)
    if low <= counts[NEW] <= high:
        return passed(N_("{new} of {requests} requests reached the new version (a {percent}% split gives "
                         "{low} to {high})."), **params)
    return failed(N_("{new} of {requests} requests reached the new version; a {percent}% split gives {low} to "
                     "{high}."), expected=f"{low}-{high}", found=str(counts[NEW]), name=CANARY_INGRESS, **params,
                  hints=(N_("The controller reads the weight from the canary Ingress: check it with `kubectl get "
                            "ingress {name} -o yaml`."),
                         N_("`kubectl logs -n ingress-nginx deploy/ingress-nginx-controller` reports Ingresses it "
                            "could not load.")))
