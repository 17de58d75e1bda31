"""Facts about raw Kubernetes objects that many labs' checks need.

Everything here reads status and controller-owned fields, tolerates missing
or malformed parts (a learner's object can be shaped any way), and returns
plain values. Shared verdicts (``pod_running``) return an Outcome.
"""

from __future__ import annotations

import re
from datetime import datetime

from .outcome import N_, Outcome, failed, not_yet, passed
from .semantics import EnvVar, all_containers, dig, items, never_schedulable, parse_image, ready_addresses
from .view import ClusterView, condition, owned_by

# waiting reasons that will not fix themselves: fail at once instead of waiting
STUCK = {"ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull", "InvalidImageName", "CrashLoopBackOff",
         "CreateContainerConfigError", "CreateContainerError", "RunContainerError"}


def image_parts(image: str) -> tuple[str, str]:
    """(repository, tag) of an image reference; the tag is "latest" when none is given, "@digest" when only a
    digest pins it.

    ``nginx:1.27``, ``docker.io/library/nginx:1.27`` and a mirror's ``mirror.gcr.io/library/nginx:1.27`` all
    give ("nginx", "1.27"); other registries keep their name (``registry.k8s.io/pause``).
    """
    ref = parse_image(image)
    return ref.name, ref.tag or "@" + ref.digest


def containers(obj: dict) -> list[dict]:
    """The containers of a pod, pod template or workload that run side by side, native sidecars included."""
    return all_containers(obj)


def container_statuses(pod: dict) -> list[dict]:
    return [c for c in (pod.get("status") or {}).get("containerStatuses") or [] if isinstance(c, dict)]


def waiting_reasons(pod: dict) -> list[str]:
    return [(s.get("state") or {}).get("waiting", {}).get("reason", "") for s in container_statuses(pod)
            if (s.get("state") or {}).get("waiting")]


def running_images(pod: dict) -> list[str]:
    """The images the containers run, from status when the node reported them, else from the spec."""
    reported = [s.get("image") for s in container_statuses(pod) if s.get("image")]
    return reported or [c.get("image", "") for c in containers(pod)]


def pod_running(view: ClusterView, name: str) -> Outcome:
    """Pass when pod ``name`` is Running and Ready; say why not otherwise."""
    pod = view.get("pods", name)
    if pod is None:
        return failed(N_("There is no pod called {name} in namespace {namespace}."), name=name,
                      namespace=view.namespace, expected=N_("a pod"), found=N_("nothing"),
                      hints=(N_("Did you apply the manifest? `kubectl get pods` lists what exists."),
                             N_("Check the namespace: `kubectl get pods -A | grep {name}`."),
                             N_("The pod must be called exactly {name} (metadata.name).")))
    phase = (pod.get("status") or {}).get("phase", "Unknown")
    ready = condition(pod, "Ready") == "True"
    if phase == "Running" and ready:
        return passed(N_("Pod {name} is Running and Ready."), name=name)
    stuck = [r for r in waiting_reasons(pod) if r in STUCK]
    scheduled = next((c for c in (pod.get("status") or {}).get("conditions") or []
                      if isinstance(c, dict) and c.get("type") == "PodScheduled"), {})
    hints = (N_("`kubectl describe pod {name}` shows the events that explain it."),
             N_("Look at the last lines of Events: they say what Kubernetes tried and what failed."),
             N_("If the image name is wrong, fix it and apply again; a Pending pod often has a nodeSelector "
                "or resources no node can satisfy."))
    evidence = {"phase": phase, "ready": ready, "waiting": waiting_reasons(pod)}
    if stuck:
        return failed(N_("Pod {name} cannot start: {reason}."), name=name, reason=stuck[0], expected="Running",
                      found=stuck[0], hints=hints, evidence=evidence)
    never = never_schedulable(view, pod) if phase == "Pending" else None
    if scheduled.get("reason") == "Unschedulable" or never:
        return failed(N_("Pod {name} cannot be scheduled: {detail}"), name=name,
                      detail=never or scheduled.get("message", ""), expected="Running", found="Pending", hints=hints,
                      evidence=evidence)
    if phase in ("Failed", "Succeeded"):
        return failed(N_("Pod {name} has stopped (phase {phase})."), name=name, phase=phase, expected="Running",
                      found=phase, hints=hints, evidence=evidence)
    return not_yet(N_("Pod {name} is not Ready yet (phase {phase})."), name=name, phase=phase,
                   expected="Running", found=phase, hints=hints, evidence=evidence)


def ready_endpoints(view: ClusterView, service: str) -> list[str]:
    """Addresses of ready endpoints the EndpointSlice controller (or a person) published for ``service``."""
    return ready_addresses(view, service)


def container_ports(pod_template: dict) -> dict:
    """Port number → port name (or "") declared by the containers of a pod or pod template."""
    found = {}
    for container in containers(pod_template):
        for port in container.get("ports") or []:
            if isinstance(port, dict) and "containerPort" in port:
                found[port["containerPort"]] = port.get("name", "")
    return found


NO_OBJECT_HINTS = (N_("`kubectl get {kind} {name}` shows whether it exists, and in which namespace."),
                   N_("Apply the manifest of the lesson's step that creates {name}."))


def no_object(kind: str, name: str, hints: tuple[str, ...] = NO_OBJECT_HINTS, expected: str | None = None) -> Outcome:
    """The failure for an object the exercise asks for that does not exist (hints: how to find and make it)."""
    return failed(N_("There is no {kind} called {name}."), kind=kind, name=name, expected=expected or kind,
                  found=N_("nothing"), hints=hints)


THERE_IS_NO = {"pod": N_("There is no pod called {name}."), "Service": N_("There is no Service called {name}."),
               "Deployment": N_("There is no Deployment called {name}."), "DaemonSet": N_("There is no DaemonSet "
                                                                                          "called {name}."),
               "Ingress": N_("There is no Ingress called {name}."), "Job": N_("There is no Job called {name}.")}


def there_is_no(kind: str, name: str, *, expected: str, hints: tuple[str, ...], **params) -> Outcome:
    """The failure for the pod, Service, Deployment, DaemonSet, Ingress or Job ``name`` the exercise asks for,
    which does not exist (``hints``: how this lab makes it)."""
    return failed(THERE_IS_NO[kind], name=name, expected=expected, found=N_("nothing"), hints=hints, **params)


CREATED_POD = re.compile(r"^Created pod: (\S+)$")  # the ReplicaSet controller's events
DELETED_POD = re.compile(r"^Deleted pod: (\S+)$")


def replaced_pods(view: ClusterView, replicasets: list[dict]) -> tuple[list[str], set[str]]:
    """Pods the ReplicaSets created that are gone though no ReplicaSet deleted them (someone else did, and the
    ReplicaSet replaced them), and every pod they created. Give the whole history (``replicasets_of``): a
    re-apply that rolled a new ReplicaSet must not hide the evidence in an older one."""
    names = {rs["metadata"].get("name") for rs in replicasets}
    created, deleted = set(), set()
    for event in view.list("events"):
        involved = event.get("involvedObject") if isinstance(event.get("involvedObject"), dict) else {}
        if involved.get("kind") == "ReplicaSet" and involved.get("name") in names:
            for pattern, into in ((CREATED_POD, created), (DELETED_POD, deleted)):
                match = pattern.match(str(event.get("message") or ""))
                if match:
                    into.add(match.group(1))
    current = {p["metadata"]["name"] for p in view.list("pods") if p["metadata"].get("name") in created
               and not p["metadata"].get("deletionTimestamp")}
    return sorted(created - current - deleted), created


def replaced_pods_of(view: ClusterView, replicasets: list[dict]) -> list[str]:
    """Names that prove a pod of the ReplicaSets was deleted and replaced: the replacements, from durable state
    (``replacements``); else, from the ReplicaSets' events, the deleted pods (a re-apply that rolled a new
    ReplicaSet removed the replacement with the old one). Empty when nothing was replaced."""
    return sorted(p["metadata"]["name"] for rs in replicasets
                  for p in replacements(rs, owned_by(view.list("pods"), rs))) or replaced_pods(view, replicasets)[0]


def passive_range(env: dict[str, EnvVar]) -> range | None:
    """The passive ports an FTP server image is told to use: MIN_PORT/MAX_PORT, or FTP_PASSIVE_PORTS "a:b"."""
    def value(name):
        return str((env.get(name) or EnvVar(name, "value")).value or "").strip()
    low, high = value("MIN_PORT"), value("MAX_PORT")
    if value("FTP_PASSIVE_PORTS"):
        low, _, high = value("FTP_PASSIVE_PORTS").partition(":")
    return range(int(low), int(high) + 1) if low.isdigit() and high.isdigit() else None


#: seconds within which a ReplicaSet makes the pods of one change of its size (its creation, a scale)
BURST = 5
CONTROLLER = "kube-controller-manager"


def replacements(replicaset: dict, pods: list[dict]) -> list[dict]:
    """The pods of ``pods`` that ``replicaset`` made to replace lost ones (deleted, evicted), from durable state
    alone (no Events, which expire): pods made more than ``BURST`` seconds after its last change of size, or, when
    its size changed once (generation 2), between its first ``BURST`` seconds and that change. The last change
    of size is when the controller last changed its spec (``managedFields``); the creation when it never did."""
    meta = replicaset.get("metadata") if isinstance(replicaset.get("metadata"), dict) else {}
    born = _time(meta.get("creationTimestamp"))
    if born is None:
        return []
    changes = [_time(e.get("time")) for e in meta.get("managedFields") or []
               if isinstance(e, dict) and e.get("manager") == CONTROLLER and not e.get("subresource")]
    resized = max([t for t in changes if t is not None] + [born])
    once = meta.get("generation") == 2
    found = []
    for pod in pods:
        made = _time((pod.get("metadata") or {}).get("creationTimestamp"))
        if made is not None and (made > resized + BURST or (once and born + BURST < made < resized)):
            found.append(pod)
    return found


def _time(value) -> float | None:
    """An API timestamp (RFC 3339, whole seconds) as seconds since the epoch, or None."""
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


# -- the Gateway API: which route a request takes, as the spec orders them ---------------------
GATEWAY_GROUP = "gateway.networking.k8s.io"


def path_score(kind: str, wanted: str, path: str) -> int:
    """How specific a match of ``path`` is (-1: none): Exact beats a prefix of the same length, longer
    prefixes beat shorter ones, and a prefix matches whole path elements (``/a`` matches ``/a/b``, not ``/ab``).
    ``kind`` is Exact or Prefix/PathPrefix (Ingress and HTTPRoute names)."""
    wanted = wanted or "/"
    if kind == "Exact":
        return 2 * len(wanted) + 1 if path == wanted else -1
    prefix = wanted.rstrip("/")
    return 2 * len(wanted) if path == prefix or path.startswith(prefix + "/") else -1


def host_matches(pattern: str, host: str) -> bool:
    """A host name rule: equal, or ``*.example.com`` for exactly one more label."""
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and "." not in host[: -len(pattern) + 1]
    return pattern == host


def attached(route: dict, gateway: str, namespace: str, listeners: list | None = None) -> bool:
    """Whether an HTTPRoute's parentRefs name the Gateway ``gateway`` of ``namespace`` (the route's own); given
    the Gateway's ``listeners``, a parentRef's sectionName and port must also be those of one of them."""
    for ref in (route.get("spec") or {}).get("parentRefs") or []:
        if (isinstance(ref, dict) and ref.get("name") == gateway and ref.get("kind", "Gateway") == "Gateway"
                and ref.get("group", GATEWAY_GROUP) == GATEWAY_GROUP and ref.get("namespace", namespace) == namespace
                and (listeners is None or any(ref.get("sectionName", ls.get("name")) == ls.get("name")
                                              and ref.get("port", ls.get("port")) == ls.get("port")
                                              for ls in listeners if isinstance(ls, dict)))):
            return True
    return False


def routes_attached(view: ClusterView, gateway: str, routes: list[dict] | None = None) -> list[dict]:
    """The HTTPRoutes (``routes``, or all of the namespace's) that reach a listener of the Gateway ``gateway``:
    a sectionName or port no listener has does not (``attached``; while the Gateway is missing, the parentRef
    alone decides)."""
    found = view.get("gateways", gateway)
    listeners = items(dig(found, "spec", "listeners")) if found else None
    return [r for r in (view.list("httproutes") if routes is None else routes)
            if attached(r, gateway, view.namespace, listeners)]


def _plain_request(match: dict) -> bool:
    """Whether an HTTPRoute match takes a plain GET (no header, no query parameter): the request a check sends."""
    return not match.get("headers") and not match.get("queryParams") and match.get("method", "GET") == "GET"


def route_rule(routes: list[dict], host: str, path: str) -> dict | None:
    """The rule of ``routes`` (HTTPRoutes of one Gateway) a plain GET for ``host`` + ``path`` takes: an exact
    host name beats a wildcard, which beats a route without host names; then the most specific path."""
    best, best_key = None, None
    for route in routes:
        names = [str(n) for n in (route.get("spec") or {}).get("hostnames") or []]
        host_rank = 2 if host in names else 1 if any(host_matches(n, host) for n in names) else 0 if not names else -1
        if host_rank < 0:
            continue
        for rule in (route.get("spec") or {}).get("rules") or []:
            for match in (rule.get("matches") or [{}]) if isinstance(rule, dict) else []:
                if not _plain_request(match or {}):
                    continue
                wanted = (match or {}).get("path") or {}
                score = path_score(wanted.get("type", "PathPrefix"), str(wanted.get("value") or "/"), path)
                if score >= 0 and (best_key is None or (host_rank, score) > best_key):
                    best, best_key = rule, (host_rank, score)
    return best


def parent_conditions(route: dict, gateway: str) -> dict[str, str]:
    """The conditions (type → status) a controller wrote for ``route`` under the parent Gateway ``gateway``."""
    for parent in (route.get("status") or {}).get("parents") or []:
        if isinstance(parent, dict) and (parent.get("parentRef") or {}).get("name") == gateway:
            return {c.get("type"): c.get("status") for c in parent.get("conditions") or [] if isinstance(c, dict)}
    return {}
