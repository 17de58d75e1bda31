"""Checks of the ingress lab: the Ingress's class, where each request would go, and what the controller answers."""

from checkers import N_, Context, check, error, failed, not_yet, passed
from checkers.kube import ready_endpoints, there_is_no

INGRESS, SHOP, SUPPORT = "ingress-routes", "ingress-shop", "ingress-support"
CONTROLLER_NAMESPACE, CONTROLLER = "ingress-nginx", "ingress-nginx-controller"
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
    wanted = rule_path.get("path") or "/"
    if rule_path.get("pathType") == "Exact":
        return 2 * len(wanted) + 1 if path == wanted else -1
    prefix = wanted.rstrip("/")
    return 2 * len(wanted) if path == prefix or path.startswith(prefix + "/") else -1


def _wildcard_matches(pattern: str, host: str) -> bool:
    """``*.miempresa.es`` matches exactly one more label: soporte.miempresa.es, not a.b.miempresa.es."""
    return pattern.startswith("*.") and host.endswith(pattern[1:]) and "." not in host[: -len(pattern) + 1]


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
    if wanted == "nginx":
        return passed(N_("Ingress {name} uses the class {ingress_class}."), name=INGRESS, ingress_class=wanted)
    classes = ctx.view.list("ingressclasses")
    if wanted and any(c["metadata"]["name"] == wanted for c in classes):
        return passed(N_("Ingress {name} uses the class {ingress_class}."), name=INGRESS, ingress_class=wanted)
    if not wanted and any((c["metadata"].get("annotations") or {}).get(DEFAULT_CLASS) == "true" for c in classes):
        return passed(N_("Ingress {name} uses the cluster's default class."), name=INGRESS)
    return failed(N_("No controller serves the class {ingress_class} of Ingress {name}."), name=INGRESS,
                  ingress_class=wanted or N_("(none)"), expected="nginx", found=wanted or N_("(none)"),
                  hints=(N_("An Ingress is only rules: a controller of its class must apply them."),
                         N_("`kubectl get ingressclass` lists the classes this cluster has."),
                         N_("Write `ingressClassName: nginx` in the spec (on minikube: `minikube addons enable "
                            "ingress`).")))


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
                          N_("`kubectl get pods -n ingress-nginx` shows whether the controller runs."),
                          N_("If it never comes, check the class: see the first check.")))


@check(N_("The controller answers each host and path from the right service"), needs={"ingress": True})
def routes_answer(ctx: Context):
    ingress, missing = _ingress(ctx)
    if missing:
        return missing
    for host, path, service in (SUPPORT_BY_HOST, SUPPORT_BY_PATH, SHOP_BY_DEFAULT):
        status, body = ctx.view.proxy_get("services", CONTROLLER, 80, path, namespace=CONTROLLER_NAMESPACE, host=host)
        if b'"kind":"Status"' in body.replace(b" ", b""):  # the API server's own answer: the controller is missing
            return error(N_("The ingress-nginx controller could not be reached (HTTP {status})."), status=status)
        if status != 200 or body.strip() != service.encode():
            return failed(N_("http://{host}{path} answered HTTP {status} instead of {service}."), host=host,
                          path=path, status=status, service=service, expected=service,
                          found=body[:80].decode(errors="replace"),
                          hints=(N_("`curl -H 'Host: {host}' http://<controller>{path}` shows what the controller "
                                    "answers."),
                                 N_("A 404 from nginx means no rule matched; a 503 means the Service has no "
                                    "ready pods.")))
    return passed(N_("The controller sent each host and path to the right service."))
