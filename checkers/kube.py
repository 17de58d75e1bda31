"""Facts about raw Kubernetes objects that many labs' checks need.

Everything here reads status and controller-owned fields, tolerates missing
or malformed parts (a learner's object can be shaped any way), and returns
plain values. Shared verdicts (``pod_running``) return an Outcome.
"""

from __future__ import annotations

from datetime import datetime

from .outcome import N_, Outcome, failed, not_yet, passed
from .view import ClusterView, condition

# waiting reasons that will not fix themselves: fail at once instead of waiting
STUCK = {"ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull", "InvalidImageName", "CrashLoopBackOff",
         "CreateContainerConfigError", "CreateContainerError", "RunContainerError"}


def image_parts(image: str) -> tuple[str, str]:
    """(repository, tag) of an image reference; the tag is "latest" when none is given.

    ``docker.io/library/nginx:1.27`` and ``nginx:1.27`` both give ("nginx", "1.27").
    """
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else ("" if digest else "latest")
    repository = name[: len(name) - len(tag) - 1] if ":" in last else name
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/"):
        if repository.startswith(prefix):
            repository = repository[len(prefix):]
    return repository, tag or "@" + digest


def containers(pod: dict) -> list[dict]:
    return [c for c in (pod.get("spec") or {}).get("containers") or [] if isinstance(c, dict)]


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
    if scheduled.get("reason") == "Unschedulable":
        return failed(N_("Pod {name} cannot be scheduled: {detail}"), name=name, detail=scheduled.get("message", ""),
                      expected="Running", found="Pending", hints=hints, evidence=evidence)
    if phase in ("Failed", "Succeeded"):
        return failed(N_("Pod {name} has stopped (phase {phase})."), name=name, phase=phase, expected="Running",
                      found=phase, hints=hints, evidence=evidence)
    return not_yet(N_("Pod {name} is not Ready yet (phase {phase})."), name=name, phase=phase,
                   expected="Running", found=phase, hints=hints, evidence=evidence)


def ready_endpoints(view: ClusterView, service: str) -> list[str]:
    """Addresses of ready endpoints the EndpointSlice controller (or a person) published for ``service``."""
    addresses = []
    for endpoint_slice in view.list("endpointslices"):
        labels = endpoint_slice["metadata"].get("labels") or {}
        if labels.get("kubernetes.io/service-name") != service:
            continue
        for endpoint in endpoint_slice.get("endpoints") or []:
            if isinstance(endpoint, dict) and (endpoint.get("conditions") or {}).get("ready", True):
                addresses += endpoint.get("addresses") or []
    return addresses


def container_ports(pod_template: dict) -> dict:
    """Port number → port name (or "") declared by the containers of a pod or pod template."""
    found = {}
    for container in containers(pod_template):
        for port in container.get("ports") or []:
            if isinstance(port, dict) and "containerPort" in port:
                found[port["containerPort"]] = port.get("name", "")
    return found


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
