"""Checks of the ingress lab: the Ingress's class, where each request would go, and what the controller answers;
then the same rules as a Gateway and HTTPRoutes, with TLS, and the controller's verdict on them."""

from checkers import N_, Context, check, error, failed, not_yet, passed
from checkers.kube import (host_matches, no_object, parent_conditions, path_score, ready_endpoints, route_rule,
                           routes_attached, there_is_no)

INGRESS, SHOP, SUPPORT = "ingress-routes", "ingress-shop", "ingress-support"
CONTROLLER_NAMESPACE, CONTROLLER = "traefik", "traefik"
CLASS = "traefik"
GATEWAY, TLS_SECRET = "miempresa", "miempresa-tls"
HTTP_PORT, HTTPS_PORT = 8000, 8443  # Traefik's entry points
GATEWAY_REQUESTS = (("soporte.miempresa.eu", "/tickets", SUPPORT), ("miempresa.eu", "/soporte/tickets", SUPPORT),
                    ("miempresa.eu", "/ofertas", SHOP))
DEFAULT_CLASS = "ingressclass.kubernetes.io/is-default-class"
# (host, path, the Service that must answer): one request for each rule the lab asks for
SUPPORT_BY_HOST = ("soporte.miempresa.es", "/tickets", SUPPORT)
SUPPORT_BY_PATH = ("miempresa.es", "/soporte/tickets", SUPPORT)
SHOP_BY_DEFAULT = ("miempresa.es", "/ofertas", SHOP)


def _ingress(ctx: Context):
    ingress = ctx.view.get("ingresses", INGRESS)
    if ingress is None:
        return None, there_is_no("Ingress", INGRESS, expected="Ingress",
                                 hints=(N_("`kubectl get ingress` lists what exists."),
                                        N_("Write the Ingress manifest and apply it with `kubectl apply -f`."),
                                        N_("metadata.name must be exactly {name}.")))
    return ingress, None


def _path_matches(rule_path: dict, path: str) -> int:
    """How long a match ``rule_path`` makes for ``path`` (-1: none); Exact wins over Prefix of the same length."""
    return path_score(str(rule_path.get("pathType") or "Prefix"), str(rule_path.get("path") or "/"), path)


def _wildcard_matches(pattern: str, host: str) -> bool:
    """``*.miempresa.es`` matches exactly one more label: soporte.miempresa.es, not a.b.miempresa.es."""
    return pattern.startswith("*.") and host_matches(pattern, host)


def _route(ingress: dict, host: str, path: str) -> dict | None:
    """The backend the Ingress rules pick for a request to ``host`` + ``path``, as a controller would."""
    spec = ingress.get("spec") or {}
    rules = [r for r in spec.get("rules") or [] if r.get("host") == host]
    rules = rules or [r for r in spec.get("rules") or [] if _wildcard_matches(str(r.get("host") or ""), host)]
    rules = rules or [r for r in spec.get("rules") or [] if not r.get("host")]
    paths = [p for r in rules for p in (r.get("http") or {}).get("paths") or []]
    best = max(paths, key=lambda p: _path_matches(p, path), default=None)
    if best is not None and _path_matches(best, path) >= 0:
        return best.get("backend")
    return spec.get("defaultBackend")


def _routes_to(ctx: Context, host: str, path: str, expected: str):
    """Pass when a request for http://host/path goes to a port of Service ``expected`` that has ready pods."""
    ingress, missing = _ingress(ctx)
    if missing:
        return missing
    backend = ((_route(ingress, host, path) or {}).get("service")) or {}
    hints = (N_("The controller picks the rule whose host is the request's Host, then the longest matching path."),
             N_("`kubectl describe ingress {name}` lists each host, path and backend."),
             N_("Use pathType Prefix, and a backend with `name: {service}` and `port: number: 80`."))
    if backend.get("name") != expected:
        goes_to = backend.get("name") or N_("no backend")
        return failed(N_("A request for http://{host}{path} goes to {backend}, not to {service}."), host=host,
                      path=path, backend=goes_to, service=expected, name=INGRESS,
                      expected=expected, found=goes_to, hints=hints)
    port = backend.get("port") or {}
    service_ports = [p for p in ((ctx.view.get("services", expected) or {}).get("spec") or {}).get("ports") or []]
    if not any(p.get("port") == port.get("number") or (port.get("name") and p.get("name") == port.get("name"))
               for p in service_ports):
        return failed(N_("Service {service} has no port {port}."), service=expected, name=INGRESS,
                      port=port.get("number") or port.get("name"), expected="80",
                      found=", ".join(str(p.get("port")) for p in service_ports) or N_("no ports"), hints=hints)
    if not ready_endpoints(ctx.view, expected):
        return not_yet(N_("Service {service} has no ready pods yet."), service=expected, name=INGRESS,
                       expected=N_("ready endpoints"), found="0", hints=hints)
    return passed(N_("A request for http://{host}{path} goes to {service}."), host=host, path=path, service=expected)


@check(N_("The Ingress belongs to a controller's class"))
def ingress_class(ctx: Context):
    ingress, missing = _ingress(ctx)
    if missing:
        return missing
    wanted = (ingress.get("spec") or {}).get("ingressClassName")
    if wanted == CLASS:
        return passed(N_("Ingress {name} uses the class {ingress_class}."), name=INGRESS, ingress_class=wanted)
    classes = ctx.view.list("ingressclasses")
    if wanted and any(c["metadata"]["name"] == wanted for c in classes):
        return passed(N_("Ingress {name} uses the class {ingress_class}."), name=INGRESS, ingress_class=wanted)
    if not wanted and any((c["metadata"].get("annotations") or {}).get(DEFAULT_CLASS) == "true" for c in classes):
        return passed(N_("Ingress {name} uses the cluster's default class."), name=INGRESS)
    return failed(N_("No controller serves the class {ingress_class} of Ingress {name}."), name=INGRESS,
                  ingress_class=wanted or N_("(none)"), expected=CLASS, found=wanted or N_("(none)"),
                  hints=(N_("An Ingress is only rules: a controller of its class must apply them."),
                         N_("`kubectl get ingressclass` lists the classes this cluster has."),
                         N_("Write `ingressClassName: {wanted_class}` in the spec: `kubelab up` installs Traefik, "
                            "which serves that class.")), wanted_class=CLASS)


@check(N_("Requests for soporte.miempresa.es go to the support service"), points=2)
def support_host_route(ctx: Context):
    return _routes_to(ctx, *SUPPORT_BY_HOST)


@check(N_("Requests for miempresa.es/soporte go to the support service"), points=2)
def support_path_route(ctx: Context):
    return _routes_to(ctx, *SUPPORT_BY_PATH)


@check(N_("Every other request for miempresa.es goes to the shop"))
def shop_route(ctx: Context):
    return _routes_to(ctx, *SHOP_BY_DEFAULT)


@check(N_("The ingress controller has taken the Ingress in charge"), needs={"ingress": True}, settle=90)
def ingress_admitted(ctx: Context):
    ingress, missing = _ingress(ctx)
    if missing:
        return missing
    addresses = (((ingress.get("status") or {}).get("loadBalancer") or {}).get("ingress")) or []
    found = ", ".join(a.get("ip") or a.get("hostname") or "?" for a in addresses)
    if found:
        return passed(N_("The controller published Ingress {name} at {address}."), name=INGRESS, address=found)
    return not_yet(N_("No controller has published an address for Ingress {name} yet."), name=INGRESS,
                   expected=N_("an address"), found=N_("nothing"),
                   hints=(N_("The controller writes its address into the Ingress status within a minute."),
                          N_("`kubectl get pods -n traefik` shows whether the controller runs (on minikube)."),
                          N_("If it never comes, check the class: see the first check.")))


def _answers(ctx: Context, requests) -> object:
    """Send each (host, path, service) request through the controller; an outcome for the first wrong answer."""
    for host, path, service in requests:
        status, body = ctx.view.proxy_get("services", CONTROLLER, 80, path, namespace=CONTROLLER_NAMESPACE, host=host)
        if b'"kind":"Status"' in body.replace(b" ", b""):  # the API server's own answer: the controller is missing
            return error(N_("The Traefik controller could not be reached (HTTP {status})."), status=status)
        if status != 200 or body.strip() != service.encode():
            return failed(N_("http://{host}{path} answered HTTP {status} instead of {service}."), host=host,
                          path=path, status=status, service=service, expected=service,
                          found=body[:80].decode(errors="replace"),
                          hints=(N_("`curl -H 'Host: {host}' http://<controller>{path}` shows what the controller "
                                    "answers."),
                                 N_("A 404 from Traefik means no rule matched; a 503 means the Service has no "
                                    "ready pods."),
                                 N_("Compare the answer with the rule you expect to match: host first, then the "
                                    "longest path.")))
    return None


@check(N_("The controller answers each host and path from the right service"),
       needs={"ingress": True, "data_plane": True})
def routes_answer(ctx: Context):
    ingress, missing = _ingress(ctx)
    if missing:
        return missing
    return (_answers(ctx, (SUPPORT_BY_HOST, SUPPORT_BY_PATH, SHOP_BY_DEFAULT))
            or passed(N_("The controller sent each host and path to the right service.")))


# -- the same entrance with the Gateway API -----------------------------------------------------------
def _gateway(ctx: Context):
    gateway = ctx.view.get("gateways", GATEWAY)
    if gateway is None:
        return None, no_object("Gateway", GATEWAY, (N_("`kubectl get gateways` lists what exists."),
                                                     N_("Write the Gateway manifest of the second exercise and apply "
                                                        "it."),
                                                     N_("metadata.name must be exactly {name}.")))
    return gateway, None


def _listener(gateway: dict, protocol: str, port: int) -> dict | None:
    return next((item for item in (gateway.get("spec") or {}).get("listeners") or []
                 if isinstance(item, dict) and item.get("protocol") == protocol and item.get("port") == port), None)


@check(N_("The Gateway listens for HTTP, and for HTTPS with the site's certificate"), points=2)
def gateway_listeners(ctx: Context):
    gateway, missing = _gateway(ctx)
    if missing:
        return missing
    hints = (N_("A Gateway names its GatewayClass (`kubectl get gatewayclass`) and lists its listeners."),
             N_("`kubectl explain gateway.spec.listeners.tls` describes the certificate reference."),
             N_("Listeners: `http` (HTTP, port {http}) and `https` (HTTPS, port {https}, `tls: {{mode: Terminate, "
                "certificateRefs: [{{name: {secret}}}]}}`)."))
    wanted_class = (gateway.get("spec") or {}).get("gatewayClassName")
    if not any(c["metadata"]["name"] == wanted_class for c in ctx.view.list("gatewayclasses")):
        return failed(N_("Gateway {name} asks for the class {gateway_class}, which this cluster does not have."),
                      name=GATEWAY, gateway_class=wanted_class or N_("(none)"), expected=CLASS,
                      found=wanted_class or N_("(none)"), http=HTTP_PORT, https=HTTPS_PORT, secret=TLS_SECRET,
                      hints=hints)
    https = _listener(gateway, "HTTPS", HTTPS_PORT) or {}
    tls = https.get("tls") or {}
    refs = [r for r in tls.get("certificateRefs") or [] if isinstance(r, dict)]
    secret = ctx.view.get("secrets", str((refs[0] if refs else {}).get("name")))
    problem = (N_("no HTTP listener on port {http}") if _listener(gateway, "HTTP", HTTP_PORT) is None else
               N_("no HTTPS listener on port {https}") if not https else
               N_("the HTTPS listener does not terminate TLS") if tls.get("mode", "Terminate") != "Terminate" else
               N_("the HTTPS listener's certificate is not the TLS Secret {secret}")
               if secret is None or secret.get("type") != "kubernetes.io/tls" else None)
    if problem:
        return failed(N_("Gateway {name} is not ready to listen: {problem}."), name=GATEWAY, problem=problem,
                      http=HTTP_PORT, https=HTTPS_PORT, secret=TLS_SECRET, expected=TLS_SECRET,
                      found=", ".join(f"{item.get('protocol')}:{item.get('port')}" for item in
                                      (gateway.get("spec") or {}).get("listeners") or [] if isinstance(item, dict))
                      or "-", hints=hints)
    return passed(N_("Gateway {name} listens on port {http} (HTTP) and on port {https} (HTTPS, certificate "
                     "{secret})."), name=GATEWAY, http=HTTP_PORT, https=HTTPS_PORT, secret=TLS_SECRET)


@check(N_("The HTTPRoutes send each host and path of miempresa.eu to the right service"), points=2)
def gateway_routes(ctx: Context):
    routes = routes_attached(ctx.view, GATEWAY)
    hints = (N_("Only the routes whose parentRefs name Gateway {gateway} count; then the exact host name wins, and "
                "the longest path."),
             N_("`kubectl get httproutes` lists each route's host names; `kubectl describe httproute` its rules."),
             N_("One route for soporte.miempresa.eu → {support}; one for miempresa.eu with /soporte → {support} and "
                "/ → {shop}, all on port 80."))
    for host, path, service in GATEWAY_REQUESTS:
        refs = [r for r in (route_rule(routes, host, path) or {}).get("backendRefs") or [] if isinstance(r, dict)]
        goes_to = ", ".join(str(r.get("name")) for r in refs) or N_("no route")
        spec = (ctx.view.get("services", service) or {}).get("spec") or {}
        ports = [p.get("port") for p in spec.get("ports") or [] if isinstance(p, dict)]
        if [r.get("name") for r in refs] != [service] or refs[0].get("port") not in ports:
            return failed(N_("Through Gateway {gateway}, http://{host}{path} goes to {backend}, not to {service} "
                             "port 80."), gateway=GATEWAY, host=host, path=path, backend=goes_to, service=service,
                          expected=service, found=goes_to, support=SUPPORT, shop=SHOP, hints=hints)
    return passed(N_("Through Gateway {gateway}, each host and path of miempresa.eu goes to the right service."),
                  gateway=GATEWAY)


@check(N_("The controller accepted the Gateway and its routes"), needs={"gateway": True}, settle=60)
def gateway_accepted(ctx: Context):
    gateway, missing = _gateway(ctx)
    if missing:
        return missing
    hints = (N_("`kubectl describe gateway {gateway}` and `kubectl describe httproute`: the Status names the reason "
                "of each condition."),
             N_("A listener with ResolvedRefs=False cannot read its certificate Secret."),
             N_("A route with Accepted=False does not fit a listener (parentRef, port or host name)."))
    listeners = {(item.get("name"), c.get("type")): c.get("status")
                 for item in (gateway.get("status") or {}).get("listeners") or [] if isinstance(item, dict)
                 for c in item.get("conditions") or [] if isinstance(c, dict)}
    own = {c.get("type"): c.get("status") for c in (gateway.get("status") or {}).get("conditions") or []
           if isinstance(c, dict)}
    if own.get("Accepted") in (None, "Unknown"):  # the API server's default until a controller writes
        return not_yet(N_("The controller has not looked at Gateway {gateway} yet."), gateway=GATEWAY,
                       expected="Accepted=True", found=N_("no status yet"), hints=hints)
    bad = [f"{GATEWAY}: {kind}" for kind in ("Accepted", "Programmed") if own.get(kind) != "True"]
    bad += [f"{name}: {kind}" for (name, kind), status in sorted(listeners.items(), key=str)
            if kind in ("Programmed", "ResolvedRefs") and status != "True"]
    for route in routes_attached(ctx.view, GATEWAY):
        conditions = parent_conditions(route, GATEWAY)
        bad += [f"{route['metadata']['name']}: {kind}" for kind in ("Accepted", "ResolvedRefs")
                if conditions.get(kind) != "True"]
    if bad:
        return failed(N_("The controller reports problems: {problems}."), problems="; ".join(bad), gateway=GATEWAY,
                      expected="True", found="; ".join(bad), hints=hints)
    return passed(N_("The controller programmed Gateway {gateway} and accepted every route attached to it."),
                  gateway=GATEWAY)


@check(N_("Through the Gateway, each host and path of miempresa.eu answers from the right service"),
       needs={"gateway": True, "data_plane": True})
def gateway_answers(ctx: Context):
    gateway, missing = _gateway(ctx)
    if missing:
        return missing
    return (_answers(ctx, GATEWAY_REQUESTS)
            or passed(N_("Through the Gateway, each host and path of miempresa.eu answered from the right service.")))
