"""Checks of the canary lab: two Deployments, one HTTPRoute whose backendRefs weights split the traffic, the
controller's verdict on that route, and the share of requests the Gateway really sends to the new version."""

from math import exp, lgamma, log

from checkers import N_, Context, check, error, failed, labels_match, not_yet, passed
from checkers.kube import no_object, parent_conditions, route_rule, routes_attached, there_is_no
from checkers.semantics import declared_ports, dig, target_port

STABLE, NEW = "canary-stable", "canary-new"
GATEWAY, ROUTE = "canary-gateway", "canary-route"
HOST, PATH = "hipotecas.example", "/"
WANTED_PERCENT = 10
CONTROLLER_NAMESPACE, CONTROLLER = "traefik", "traefik"
REQUESTS = 400
FALSE_ALARM = 1e-9  # the chance that a split done right is failed by bad luck


def _route(ctx: Context):
    route = ctx.view.get("httproutes", ROUTE)
    if route is None:
        return None, no_object("HTTPRoute", ROUTE, (N_("`kubectl get httproutes` lists what exists."),
                                                     N_("Apply the HTTPRoute of the lesson's step, then change it as "
                                                        "the exercise asks."),
                                                     N_("metadata.name must be exactly {name}.")))
    return route, None


def _site_rule(ctx: Context, route: dict) -> dict | None:
    """The rule of the route that serves http://HOST/PATH through the lab's Gateway, or None."""
    if not routes_attached(ctx.view, GATEWAY, [route]):
        return None
    return route_rule([route], HOST, PATH)


def _rule(route: dict) -> dict:
    """The rule of the route for PATH, whatever its parents and host names (the first check judges those)."""
    return route_rule([{"spec": {"rules": (route.get("spec") or {}).get("rules")}}], HOST, PATH) or {}


def _service_refs(rule: dict | None) -> list[dict]:
    """The rule's backendRefs to a Service (group "" and kind Service, written out or not)."""
    return [r for r in (rule or {}).get("backendRefs") or [] if isinstance(r, dict)
            and r.get("kind", "Service") == "Service" and r.get("group", "") == ""]


def _weights(rule: dict | None) -> dict[str, int]:
    """Service name → its weight in the rule (a backendRef without a weight weighs 1, as the spec says)."""
    weights: dict[str, int] = {}
    for ref in _service_refs(rule):
        if ref.get("name"):
            weight = ref.get("weight", 1)
            weights[str(ref["name"])] = weights.get(str(ref["name"]), 0) + (weight if isinstance(weight, int) else 0)
    return weights


def _share(rule: dict | None) -> float | None:
    """The percentage of requests the rule sends to the new version, or None when its weights add up to 0."""
    weights = _weights(rule)
    total = sum(weights.values())
    return 100 * weights.get(NEW, 0) / total if total > 0 else None


def _backend_problem(ctx: Context, rule: dict, app: str) -> tuple[str | None, object]:
    """Why the rule's backendRef to ``app`` cannot serve (no such ref to a Service of the namespace, no Service,
    port, selected pods or container port), and the port it names."""
    ref = next((r for r in _service_refs(rule) if r.get("name") == app), None)
    service = ctx.view.get("services", app)
    deployment = ctx.view.get("deployments", app)
    if ref is None:
        return N_("the route has no backendRef to {service}"), None
    if ref.get("namespace", ctx.view.namespace) != ctx.view.namespace:
        return N_("the backendRef to {service} names another namespace"), ref.get("port")
    if service is None or deployment is None:
        return N_("Service or Deployment {service} is missing"), ref.get("port")
    port = next((p for p in (service.get("spec") or {}).get("ports") or []
                 if isinstance(p, dict) and p.get("port") == ref.get("port")), None)
    if port is None:
        return N_("Service {service} has no port {port}"), ref.get("port")
    template = dig(deployment, "spec", "template") or {}
    if not labels_match((service.get("spec") or {}).get("selector"), dig(template, "metadata", "labels")):
        return N_("the selector of Service {service} does not select the pods of Deployment {service}"), None
    if target_port(port, template) not in declared_ports(template):
        return N_("port {port} of Service {service} targets no port the pods declare"), ref.get("port")
    return None, ref.get("port")


@check(N_("Both versions are deployed and every replica is ready"), points=2)
def deployments_ready(ctx: Context):
    for name in (STABLE, NEW):
        deployment = ctx.view.get("deployments", name)
        status = (deployment or {}).get("status") or {}
        wanted = ((deployment or {}).get("spec") or {}).get("replicas", 1)
        if deployment is None:
            return there_is_no("Deployment", name, expected="Deployment",
                               hints=(N_("`kubectl get deployments` lists what exists."),
                                      N_("Apply the Deployment of the lesson's step \"The new version\"."),
                                      N_("Both Deployments live in the lab's namespace.")))
        current = status.get("observedGeneration") == deployment["metadata"].get("generation")
        if not current or status.get("readyReplicas", 0) != wanted or not wanted:
            return not_yet(N_("{ready} of {wanted} replicas of {name} are ready."), name=name, wanted=wanted,
                           ready=status.get("readyReplicas", 0), expected=str(wanted),
                           found=str(status.get("readyReplicas", 0)),
                           hints=(N_("`kubectl rollout status deployment/{name} --timeout=60s` waits for it."),
                                  N_("`kubectl describe pod -l app={name}`: the Events say why a pod is not "
                                     "ready."),
                                  N_("A pod that stays Pending asks for something no node offers: look at its "
                                     "nodeSelector.")))
    return passed(N_("Deployments {stable} and {new} are ready."), stable=STABLE, new=NEW)


@check(N_("The route serves the site through the lab's Gateway"))
def route_attached(ctx: Context):
    route, missing = _route(ctx)
    if missing:
        return missing
    if _site_rule(ctx, route) is not None:
        return passed(N_("HTTPRoute {name} serves http://{host}{path} through Gateway {gateway}."), name=ROUTE,
                      host=HOST, path=PATH, gateway=GATEWAY)
    spec = route.get("spec") or {}
    parents = ", ".join(str((r or {}).get("name")) for r in spec.get("parentRefs") or []) or "-"
    hosts = ", ".join(str(h) for h in spec.get("hostnames") or []) or "*"
    return failed(N_("HTTPRoute {name} does not serve http://{host}{path} through Gateway {gateway}."), name=ROUTE,
                  host=HOST, path=PATH, gateway=GATEWAY, expected=f"{GATEWAY}: {HOST}{PATH}",
                  found=N_("parents: {parents}; host names: {hosts}"), parents=parents, hosts=hosts,
                  hints=(N_("A route takes effect only on the Gateways its parentRefs name, for the host names it "
                            "lists."),
                         N_("`kubectl get httproute {name} -o yaml`: look at spec.parentRefs and spec.hostnames."),
                         N_("Keep `parentRefs: [{{name: {gateway}}}]` and `hostnames: [\"{host}\"]` as the lab "
                            "created them.")))


@check(N_("The stable version keeps its share of the route"))
def stable_backend(ctx: Context):
    route, missing = _route(ctx)
    if missing:
        return missing
    rule = _rule(route)
    problem, port = _backend_problem(ctx, rule, STABLE)
    if problem is None and _weights(rule).get(STABLE, 0) > 0:
        return passed(N_("HTTPRoute {name} sends a share of the requests to {service}."), name=ROUTE, service=STABLE)
    return failed(N_("HTTPRoute {name} gives the stable version {service} no share of the requests: {reason}."),
                  name=ROUTE, service=STABLE, expected=STABLE, found=problem or N_("weight 0"),
                  reason=problem or N_("weight 0"), port=port,
                  hints=(N_("During a canary the stable version keeps the biggest share: only the weights move."),
                         N_("`kubectl get httproute {name} -o yaml`: read spec.rules[0].backendRefs."),
                         N_("One backendRef is `name: {service}`, `port: 80`, with a weight above 0.")))


@check(N_("The route's other backend is the new version, and it can serve"), points=2)
def canary_backend(ctx: Context):
    route, missing = _route(ctx)
    if missing:
        return missing
    problem, port = _backend_problem(ctx, _rule(route), NEW)
    if problem is None:
        return passed(N_("HTTPRoute {name} can send requests to the pods of {service}."), name=ROUTE, service=NEW)
    return failed(N_("HTTPRoute {name} cannot send requests to the pods of {service}: {reason}."), name=ROUTE,
                  service=NEW, reason=problem, port=port, expected=NEW, found=problem,
                  hints=(N_("Follow the chain: backendRef → Service and port → selector → pods."),
                         N_("`kubectl get endpointslices -l kubernetes.io/service-name={service}` lists the pods "
                            "the Service found."),
                         N_("The backendRef is `name: {service}`, `port: 80`, and the Service's selector is "
                            "app: {service}.")))


@check(N_("The weights give the new version the share the exercise asks for"), points=2)
def canary_weight(ctx: Context):
    route, missing = _route(ctx)
    if missing:
        return missing
    share = _share(_rule(route))
    if share == WANTED_PERCENT:
        return passed(N_("HTTPRoute {name} sends {percent}% of the requests to {service}."), name=ROUTE,
                      percent=WANTED_PERCENT, service=NEW)
    asked = "?" if share is None else f"{share:g}"
    return failed(N_("HTTPRoute {name} sends {share}% of the requests to {service}; the exercise asks for "
                     "{percent}%."), name=ROUTE, share=asked, percent=WANTED_PERCENT, service=NEW,
                  expected=f"{WANTED_PERCENT}%", found=f"{asked}%", hints=(
                      N_("A backend's share is its weight divided by the sum of the rule's weights."),
                      N_("`kubectl get httproute {name} -o jsonpath='{{.spec.rules[0].backendRefs}}'` shows the "
                         "weights."),
                      N_("Weights 90 and 10 give 10%; so do 9 and 1.")))


@check(N_("The Gateway's controller accepted the route and resolved its backends"), needs={"gateway": True},
       settle=60)
def route_accepted(ctx: Context):
    route, missing = _route(ctx)
    if missing:
        return missing
    conditions = parent_conditions(route, GATEWAY)
    found = ", ".join(f"{k}={v}" for k, v in sorted(conditions.items())) or N_("no status yet")
    if conditions.get("Accepted") == "True" and conditions.get("ResolvedRefs") == "True":
        return passed(N_("The controller accepted HTTPRoute {name} and resolved its backends."), name=ROUTE)
    outcome = failed if conditions else not_yet
    return outcome(N_("The controller has not accepted HTTPRoute {name} with all its backends: {conditions}."),
                   name=ROUTE, conditions=found, found=found, expected="Accepted=True, ResolvedRefs=True",
                   hints=(N_("`kubectl describe httproute {name}`: the Status names the reason of each condition."),
                          N_("Accepted=False: the parentRef or the host names do not fit the Gateway's listeners."),
                          N_("ResolvedRefs=False: a backendRef names a Service or port that does not exist.")))


def acceptance(requests: int, percent: float, false_alarm: float = FALSE_ALARM) -> tuple[int, int]:
    """The counts of canary answers, out of ``requests``, that agree with a ``percent`` split.

    If a controller draws each request on its own, the canary answers with probability p = percent/100 and
    the count K is binomial(n, p). The range is the central one whose two tails each hold at most
    ``false_alarm``/2 of that distribution, so a split done right fails by bad luck at most once in
    1/false_alarm runs. Traefik does not even draw: its weighted round robin is deterministic, so its count
    stays within one or two of n·p, deep inside the range. For n = 400 and p = 10% the range is 9..81 (mean
    40): a controller ignoring the weights (200 of 400) or sending nothing to the canary fails for sure.
    """
    p = percent / 100
    if p <= 0 or p >= 1:
        return (0, 0) if p <= 0 else (requests, requests)

    def pmf(k: int) -> float:
        return exp(lgamma(requests + 1) - lgamma(k + 1) - lgamma(requests - k + 1) + k * log(p)
                   + (requests - k) * log(1 - p))

    low, tail = 0, 0.0
    while low < requests and tail + pmf(low) <= false_alarm / 2:
        tail += pmf(low)
        low += 1
    high, tail = requests, 0.0
    while high > 0 and tail + pmf(high) <= false_alarm / 2:
        tail += pmf(high)
        high -= 1
    return low, high


def _ask_gateway(ctx: Context):
    """One request for http://HOST/PATH through the Gateway's controller: (the version that answered, None) or
    (None, an outcome saying what went wrong)."""
    status, body = ctx.view.proxy_get("services", CONTROLLER, 80, PATH, namespace=CONTROLLER_NAMESPACE, host=HOST)
    answer = body.strip().decode(errors="replace")
    if status == 200 and answer in (STABLE, NEW):
        return answer, None
    if b'"kind":"Status"' in body.replace(b" ", b""):  # the API server's own answer: the controller is missing
        return None, error(N_("The Gateway's controller could not be reached (HTTP {status})."), status=status)
    return None, failed(N_("http://{host}{path} answered HTTP {status}: {answer}"), host=HOST, path=PATH,
                        status=status, answer=answer[:60], expected=f"{STABLE} / {NEW}", found=answer[:60],
                        hints=(N_("A 404 means no route matched; a 503 means a backend has no ready pods."),
                               N_("`kubectl describe httproute {name}` shows whether the controller accepted it."),
                               N_("Run the checks again once both Deployments are ready.")), name=ROUTE)


@check(N_("Through the Gateway, the new version gets the share the weights give it"),
       needs={"gateway": True, "data_plane": True}, points=2)
def traffic_split(ctx: Context):
    route, missing = _route(ctx)
    if missing:
        return missing
    share = _share(_rule(route))
    if share is None:
        return failed(N_("HTTPRoute {name} gives no weight to any backend."), name=ROUTE, expected=N_("weights"),
                      found="0", hints=(N_("See the check of the weights above."),))
    counts = {STABLE: 0, NEW: 0}
    for _ in range(REQUESTS):
        answer, problem = _ask_gateway(ctx)
        if problem:
            return problem
        counts[answer] += 1
    low, high = acceptance(REQUESTS, share)
    params = dict(new=counts[NEW], requests=REQUESTS, low=low, high=high, percent=f"{share:g}")
    if low <= counts[NEW] <= high:
        return passed(N_("{new} of {requests} requests reached the new version (a {percent}% split gives "
                         "{low} to {high})."), **params)
    return failed(N_("{new} of {requests} requests reached the new version; a {percent}% split gives {low} to "
                     "{high}."), expected=f"{low}-{high}", found=str(counts[NEW]), name=ROUTE, **params,
                  hints=(N_("The controller reads the weights from the route: `kubectl get httproute {name} -o "
                            "yaml`."),
                         N_("`kubectl describe httproute {name}`: a route the controller did not accept keeps its "
                            "old rules."),
                         N_("Wait a few seconds after a change of weights, then run the checks again.")))
