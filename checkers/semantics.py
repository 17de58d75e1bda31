"""What Kubernetes resolves, resolved the same way for checks: the lab-authoring API for meaning.

A learner may write a correct answer in many spellings (``cpu`` or ``requests.cpu``, ``2`` or ``2000m``,
``targetPort: http`` or ``80``, a ``projected`` volume, ``envFrom``, ``docker.io/library/nginx``). Checks
compare what these resolve to, never the spelling. Every function takes raw objects as the view returns
them, tolerates any shape (a learner's object can be malformed) and never raises.

- objects: ``dig``, ``items``, ``pod_spec``, ``all_containers`` (native sidecars included), ``serving``
- values: ``quantity``, ``quota_hard`` / ``quota_used`` (key equivalents), ``parse_image`` / ``same_image``
- wiring: ``effective_env``, ``volume_refs``, ``mounts_of``, ``secret_refs``, ``covers``, ``command_paths``
- networking: ``target_port``, ``declared_ports``, ``service_chain`` (Service → EndpointSlices → Pods → ports),
  ``ready_addresses``
- workloads: ``revision``, ``replicasets_of``, ``workload_pods``
- health and security: ``probe`` (any handler, named ports, defaults), ``restricted_violations`` (the Pod
  Security Standards' restricted profile, as Pod Security Admission evaluates it)
- will it ever work: ``node_fits``, ``never_schedulable``, ``claim_unbindable``
- secrets: ``decoded``, ``secret_values``, ``plaintext_places``, ``literal_env``
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import re
from dataclasses import dataclass
from decimal import Decimal

from clusters.api import ApiError

from .view import ClusterView, condition, labels_match, owned_by


def dig(obj, *keys):
    """obj[k1][k2]…, or None as soon as a level is missing or not a mapping."""
    for key in keys:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def items(value) -> list[dict]:
    """The mappings of a list field (anything else in it is ignored)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def serving(pod: dict | None) -> bool:
    """A pod that is Running and Ready (what a Service would send traffic to)."""
    return dig(pod, "status", "phase") == "Running" and condition(pod or {}, "Ready") == "True"


# --- objects -------------------------------------------------------------------------------------------------


def pod_spec(obj: dict | None) -> dict:
    """The pod spec of a Pod, a pod template, or a workload (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job,
    CronJob)."""
    if not isinstance(obj, dict):
        return {}
    for path in (("spec", "jobTemplate", "spec", "template", "spec"), ("spec", "template", "spec")):
        found = dig(obj, *path)
        if isinstance(found, dict):
            return found
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) and "containers" in spec else {}


def all_containers(obj: dict | None, *, init: bool = False) -> list[dict]:
    """The containers of a pod (or workload) that run beside each other: ``containers`` and native sidecars
    (initContainers with ``restartPolicy: Always``); ``init=True`` adds the ordinary init containers too."""
    spec = pod_spec(obj)
    sidecars = [c for c in items(spec.get("initContainers"))
                if init or c.get("restartPolicy") == "Always"]
    return items(spec.get("containers")) + sidecars


# --- values --------------------------------------------------------------------------------------------------


def quantity(value) -> Decimal | None:
    """A Kubernetes quantity (``250m``, ``1Gi``, ``2``, ``1e3``) as a number, or None when it is not one."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(value)
    text = str(value)
    suffix = text[-2:] if text[-1:] == "i" and text[-2:-1] in SI_EXPONENTS else \
        text[-1:] if text[-1:] in SI_EXPONENTS else ""
    if suffix.endswith("i") and suffix[0] not in BINARY_PREFIXES:  # "mi", "ki": no such unit
        return None
    try:
        number = Decimal(text[:len(text) - len(suffix)])
        return number * (1024 if suffix.endswith("i") else 1000) ** Decimal(SI_EXPONENTS[suffix[0]]) \
            if suffix else number
    except ArithmeticError:  # decimal's InvalidOperation and overflows
        return None


# the exponents of the quantity suffixes, base 1000 (``k``, ``M``…) or 1024 with an ``i`` (``Ki``, ``Mi``…)
SI_EXPONENTS = {"n": -3, "u": -2, "m": -1, "K": 1, "k": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}
BINARY_PREFIXES = "KMGTPE"


# ResourceQuota keys that Kubernetes defines as the same thing
QUOTA_EQUIVALENTS = {"cpu": "requests.cpu", "memory": "requests.memory",
                     "ephemeral-storage": "requests.ephemeral-storage"}


def _quota(values) -> dict[str, str]:
    values = values if isinstance(values, dict) else {}
    return {QUOTA_EQUIVALENTS.get(str(k), str(k)): str(v) for k, v in values.items()}


def quota_hard(quota: dict | None, *, source: str = "status") -> dict[str, str]:
    """The limits of a ResourceQuota by canonical key (``cpu`` → ``requests.cpu``), as written; compare them with
    ``quantity``. ``source="status"`` reads what the quota controller enforces, ``"spec"`` what was written."""
    return _quota(dig(quota, source, "hard"))


def quota_used(quota: dict | None) -> dict[str, str]:
    return _quota(dig(quota, "status", "used"))


DOCKER_HUB = "docker.io"
# registries that are Docker Hub under another name, and mirrors that serve its images under the same paths
REGISTRY_ALIASES = {"index.docker.io": DOCKER_HUB, "registry-1.docker.io": DOCKER_HUB,
                    "registry.hub.docker.com": DOCKER_HUB, "k8s.gcr.io": "registry.k8s.io"}
HUB_MIRRORS = ("mirror.gcr.io/", "public.ecr.aws/docker/", "docker.m.daocloud.io/", "dockerhub.azk8s.cn/")


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference. ``registry`` and ``path`` are normalised: ``nginx`` is docker.io library/nginx."""

    registry: str
    path: str
    tag: str  # "" when only a digest pins it, "latest" when neither is given
    digest: str

    @property
    def name(self) -> str:
        """The short name people write: ``nginx`` for Docker Hub's official images, else registry/path."""
        if self.registry == DOCKER_HUB:
            return self.path.removeprefix("library/")
        return f"{self.registry}/{self.path}"


def parse_image(reference) -> ImageRef:
    """Parse ``[registry/]path[:tag][@digest]`` as the container runtime does."""
    text = str(reference or "").strip()
    for mirror in HUB_MIRRORS:
        if text.startswith(mirror):
            text = DOCKER_HUB + "/" + text[len(mirror):]
    name, _, digest = text.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = name[colon + 1:] if colon > slash else ""
    name = name[:colon] if colon > slash else name
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, path = REGISTRY_ALIASES.get(first, first), rest
    else:
        registry, path = DOCKER_HUB, name
    if registry == DOCKER_HUB and "/" not in path:
        path = "library/" + path
    return ImageRef(registry, path.lower() if registry == DOCKER_HUB else path,
                    tag or ("" if digest else "latest"), digest)


def same_image(a, b) -> bool:
    """Whether two references name the same repository (tags and digests aside)."""
    first, second = parse_image(a), parse_image(b)
    return (first.registry, first.path) == (second.registry, second.path)


# --- wiring: environment, volumes, mounts --------------------------------------------------------------------


@dataclass(frozen=True)
class EnvVar:
    """One variable of a container's environment and where Kubernetes takes its value from."""

    name: str
    kind: str  # "value", "configMap", "secret", "field", "resource"
    source: str = ""  # the ConfigMap's or Secret's name
    key: str = ""
    value: str | None = None  # the literal, or the ConfigMap's value; never a Secret's


def _data(obj: dict | None) -> dict:
    data = dict(obj.get("data") or {}) if isinstance(obj, dict) and isinstance(obj.get("data"), dict) else {}
    if isinstance(obj, dict) and isinstance(obj.get("binaryData"), dict):
        data.update({k: None for k in obj["binaryData"]})
    return data


def effective_env(container: dict, view: ClusterView | None = None) -> tuple[dict[str, EnvVar], list[str]]:
    """The variables a container really gets, by name, and the referenced ConfigMaps/Secrets that are missing.

    As the kubelet does: ``envFrom`` sources in order (with their prefix; a later source wins), then ``env``
    (which wins over envFrom). Without ``view`` (or when an object cannot be read), whole-object sources add
    no names and are reported missing."""
    found: dict[str, EnvVar] = {}
    missing: list[str] = []
    for source in items(container.get("envFrom")):
        for kind, field in (("configMap", "configMapRef"), ("secret", "secretRef")):
            ref = source.get(field)
            if not isinstance(ref, dict):
                continue
            obj = _read(view, kind, ref.get("name"))
            if obj is None:
                missing.append(f"{kind}/{ref.get('name')}")
                continue
            for key, value in _data(obj).items():
                name = str(source.get("prefix") or "") + str(key)
                found[name] = EnvVar(name, kind, str(ref.get("name")), str(key),
                                     value if kind == "configMap" else None)
    for entry in items(container.get("env")):
        name, value_from = str(entry.get("name") or ""), entry.get("valueFrom")
        if not isinstance(value_from, dict):
            found[name] = EnvVar(name, "value", value=str(entry.get("value") or ""))
            continue
        for kind, field in (("configMap", "configMapKeyRef"), ("secret", "secretKeyRef"),
                            ("field", "fieldRef"), ("resource", "resourceFieldRef")):
            ref = value_from.get(field)
            if isinstance(ref, dict):
                value = None
                if kind == "configMap":
                    value = _data(_read(view, kind, ref.get("name"))).get(ref.get("key"))
                found[name] = EnvVar(name, kind, str(ref.get("name") or ""),
                                     str(ref.get("key") or ref.get("fieldPath") or ref.get("resource") or ""), value)
    return found, missing


def _read(view: ClusterView | None, kind: str, name) -> dict | None:
    if view is None or not name:
        return None
    try:
        return view.get({"configMap": "configmaps", "secret": "secrets"}[kind], str(name))
    except ApiError:
        return None


VOLUME_KINDS = {"configMap": "name", "secret": "secretName", "persistentVolumeClaim": "claimName"}


def volume_refs(volume: dict) -> list[tuple[str, str]]:
    """What a volume shows, as (kind, name) pairs: ``("configMap", "app")``, ``("secret", "tls")``,
    ``("persistentVolumeClaim", "data")``, ``("emptyDir", "")``…; a ``projected`` volume gives one per source."""
    if not isinstance(volume, dict):
        return []
    sources = [volume] + items(dig(volume, "projected", "sources"))
    found = []
    for source in sources:
        for kind, value in source.items():
            if kind in ("name", "projected") or not isinstance(value, dict):
                continue
            # a plain secret volume says secretName, a projected source says name
            found.append((kind, str(value.get(VOLUME_KINDS.get(kind, "name")) or value.get("name") or "")))
    return found


@dataclass(frozen=True)
class Mount:
    container: str
    path: str  # normalised, without a trailing slash
    sub_path: str
    volume: str


def mounts_of(obj: dict | None, kind: str, name: str | None = None) -> list[Mount]:
    """The mounts, in every running container (sidecars included), of volumes that show ``kind``/``name``
    (any name when None), plain or projected."""
    spec = pod_spec(obj)
    volumes = {v.get("name") for v in items(spec.get("volumes"))
               if any(k == kind and (name is None or n == name) for k, n in volume_refs(v))}
    return [Mount(str(c.get("name") or ""), normal_path(m.get("mountPath")), str(m.get("subPath") or
                                                                                  m.get("subPathExpr") or ""),
                  str(m.get("name"))) for c in all_containers(obj) for m in items(c.get("volumeMounts"))
            if m.get("name") in volumes]


def configmap_files(view: ClusterView | None, obj: dict | None) -> dict[str, str]:
    """The files ConfigMap volumes (plain or projected) show a pod's (or workload's) running containers, as
    {path in the container: text}: a mount without subPath shows every key (or its ``items``), a subPath mount
    the one key it names. ConfigMaps that do not exist show nothing."""
    volumes = {v.get("name"): v for v in items(pod_spec(obj).get("volumes"))}
    files: dict[str, str] = {}
    for mount in mounts_of(obj, "configMap"):
        volume = volumes.get(mount.volume) or {}
        sources = [volume] + items(dig(volume, "projected", "sources"))
        for source in (s["configMap"] for s in sources if isinstance(s.get("configMap"), dict)):
            data = _data(_read(view, "configMap", source.get("name")))
            paths = {i.get("key"): i.get("path") for i in items(source.get("items"))} or {k: k for k in data}
            for key, relative in paths.items():
                if not isinstance(data.get(key), str):
                    continue
                if mount.sub_path:
                    if normal_path(relative) == normal_path(mount.sub_path):
                        files[mount.path] = data[key]
                else:
                    files[f"{mount.path}/{normal_path(relative).lstrip('/')}"] = data[key]
    return files


def secret_refs(obj: dict | None) -> list[tuple[str, str | None]]:
    """The Secrets a pod (or workload) hands its running containers, as (Secret, key): a mounted ``secret`` volume
    (plain or projected) and ``envFrom`` give the whole Secret (key None), a ``secretKeyRef`` its one key."""
    shown = {v.get("name"): [n for k, n in volume_refs(v) if k == "secret"]
             for v in items(pod_spec(obj).get("volumes"))}
    found: list[tuple[str, str | None]] = [(name, None) for m in mounts_of(obj, "secret")
                                           for name in shown.get(m.volume, [])]
    for container in all_containers(obj):
        found += [(str(dig(s, "secretRef", "name")), None) for s in items(container.get("envFrom"))
                  if dig(s, "secretRef", "name")]
        found += [(str(dig(e, "valueFrom", "secretKeyRef", "name")), dig(e, "valueFrom", "secretKeyRef", "key"))
                  for e in items(container.get("env")) if dig(e, "valueFrom", "secretKeyRef", "name")]
    return found


def literal_env(obj: dict | None, names: re.Pattern) -> list[tuple[str, str]]:
    """(variable, value) of every variable whose name matches ``names`` and whose value is written literally
    (``value:``) in any container, init containers included: what a check of plain-text secrets looks at."""
    return [(str(e.get("name") or "?"), str(e["value"])) for c in all_containers(obj, init=True)
            for e in items(c.get("env")) if e.get("value") and names.search(str(e.get("name") or ""))]


def normal_path(path) -> str:
    text = posixpath.normpath(str(path or "/"))
    return "/" if text in (".", "//") else text


def covers(folder: str, path: str) -> bool:
    """Whether ``path`` lies in ``folder`` (or is it)."""
    folder, path = normal_path(folder), normal_path(path)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


ABSOLUTE_PATH = re.compile(r"(?<![\w$.:/])(/[\w.@%+-]+(?:/[\w.@%+-]+)*)")


def command_paths(container: dict) -> list[str]:
    """The absolute paths the container's command and arguments name (what it reads or writes)."""
    words = [str(w) for field in ("command", "args") if isinstance(container.get(field), list)
             for w in container[field] if isinstance(w, (str, int))]
    return [normal_path(p) for w in words for p in ABSOLUTE_PATH.findall(w)]


# --- networking ----------------------------------------------------------------------------------------------


def target_port(service_port: dict, pod: dict | None) -> int | None:
    """The container port a Service port reaches on ``pod`` (or template): a number, or a name looked up among
    the containers' ports with the same protocol, as the EndpointSlice controller does; None if unresolved."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int) and not isinstance(target, bool):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = service_port.get("protocol", "TCP")
    for container in all_containers(pod):
        for port in items(container.get("ports")):
            if port.get("name") == target and port.get("protocol", "TCP") == protocol:
                return port.get("containerPort") if isinstance(port.get("containerPort"), int) else None
    return None


def declared_ports(obj: dict | None) -> set[int]:
    """The container ports a pod (or template) declares, sidecars included."""
    return {p.get("containerPort") for c in all_containers(obj) for p in items(c.get("ports"))
            if isinstance(p.get("containerPort"), int)}


@dataclass
class Chain:
    """Service → EndpointSlices → Pods → container ports, as resolved for one Service."""

    selected: list[dict]  # the live pods the selector matches
    ready: list[str]  # addresses of ready endpoints published for the Service
    targets: dict  # service port → the container ports it reaches on the selected pods (None: a name unresolved)
    foreign: list[dict]  # selected pods that do not belong to the expected workload


def service_chain(view: ClusterView, service: dict, workload: dict | None = None) -> Chain:
    """Follow ``service`` to the containers: the pods it selects, its ready endpoints, and for each of its ports
    the container port it reaches on those pods (on ``workload``'s template while no pod is selected).
    ``workload`` names the pods it should select: any other selected pod is reported as ``foreign``."""
    spec = service.get("spec") if isinstance(service.get("spec"), dict) else {}
    selector = spec.get("selector") if isinstance(spec.get("selector"), dict) else {}
    selected = [p for p in view.list("pods") if labels_match(selector, p["metadata"].get("labels"))
                and not p["metadata"].get("deletionTimestamp")
                and dig(p, "status", "phase") not in ("Succeeded", "Failed")]
    examples = selected or [dig(workload, "spec", "template") or {}]
    targets = {port.get("port"): {target_port(port, pod) for pod in examples} for port in items(spec.get("ports"))}
    own = {p["metadata"].get("uid") for p in workload_pods(view, workload)} if workload else None
    foreign = [p for p in selected if own is not None and p["metadata"].get("uid") not in own]
    return Chain(selected, ready_addresses(view, service["metadata"]["name"]), targets, foreign)


def ready_addresses(view: ClusterView, service: str) -> list[str]:
    """Addresses of ready endpoints the EndpointSlice controller (or a person) published for ``service``."""
    addresses = []
    for endpoint_slice in view.list("endpointslices"):
        if (endpoint_slice["metadata"].get("labels") or {}).get("kubernetes.io/service-name") != service:
            continue
        for endpoint in items(endpoint_slice.get("endpoints")):
            if (endpoint.get("conditions") or {}).get("ready", True):
                addresses += [a for a in endpoint.get("addresses") or [] if isinstance(a, str)]
    return addresses


# --- workloads -----------------------------------------------------------------------------------------------

REVISION = "deployment.kubernetes.io/revision"


def revision(replicaset: dict) -> int:
    value = str((replicaset["metadata"].get("annotations") or {}).get(REVISION, ""))
    return int(value) if value.isdigit() else 0


def replicasets_of(view: ClusterView, deployment: dict | None) -> list[dict]:
    """Every ReplicaSet the Deployment owns, oldest revision first: its whole history, not only the newest."""
    if not deployment:
        return []
    return sorted(owned_by(view.list("replicasets"), deployment), key=lambda rs: (revision(rs),
                  rs["metadata"].get("creationTimestamp", "")))


def workload_pods(view: ClusterView, workload: dict | None, *, live: bool = True) -> list[dict]:
    """The pods a workload owns: directly (StatefulSet, DaemonSet, Job, ReplicaSet) or through the ReplicaSets
    of its whole history (Deployment); ``live`` leaves out pods being deleted."""
    if not workload:
        return []
    owners = [workload] + owned_by(view.list("replicasets"), workload)
    pods = [p for owner in owners for p in owned_by(view.list("pods"), owner)]
    return [p for p in pods if not (live and p["metadata"].get("deletionTimestamp"))]


# --- health probes -------------------------------------------------------------------------------------------

PROBE_DEFAULTS = {"initialDelaySeconds": 0, "periodSeconds": 10, "failureThreshold": 3}


@dataclass(frozen=True)
class Probe:
    """One probe of a container, resolved: ``kind`` is its handler (httpGet, tcpSocket, grpc, exec), ``port`` the
    container port it reaches (a named port resolved; None for exec or a name the container does not declare),
    ``budget`` the seconds it allows before giving up (initialDelaySeconds + failureThreshold × periodSeconds)."""

    kind: str
    port: int | None
    written_port: object
    budget: int


def _seconds(probe: dict, field: str) -> int:
    value = probe.get(field, PROBE_DEFAULTS[field])
    return value if isinstance(value, int) and not isinstance(value, bool) else PROBE_DEFAULTS[field]


def probe(container: dict | None, which: str) -> Probe | None:
    """The container's ``which`` probe (``readinessProbe``, ``livenessProbe``, ``startupProbe``), or None."""
    spec = dig(container, which)
    kind = next((k for k in ("httpGet", "tcpSocket", "grpc", "exec") if isinstance(dig(spec, k), dict)), None)
    if kind is None:
        return None
    written = dig(spec, kind, "port")
    port = target_port({"targetPort": written}, {"spec": {"containers": [container]}}) if written is not None \
        else None
    budget = _seconds(spec, "initialDelaySeconds") + _seconds(spec, "failureThreshold") * _seconds(spec, "periodSeconds")
    return Probe(kind, port, written, budget)


# --- pod security --------------------------------------------------------------------------------------------

RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                      "projected", "secret"}


def restricted_violations(obj: dict | None) -> list[tuple[str, str]]:
    """What keeps a pod (or workload template) out of the Pod Security Standards' ``restricted`` level, as
    (control, field) pairs in the order of the standard; empty when it passes. Baseline controls come first,
    as Pod Security Admission reports them; the container-level setting wins over the pod-level one."""
    spec = pod_spec(obj)
    pod_sc = spec.get("securityContext") if isinstance(spec.get("securityContext"), dict) else {}
    every = items(spec.get("initContainers")) + items(spec.get("containers")) + items(spec.get("ephemeralContainers"))
    found = [("hostNamespaces", f"spec.{k}") for k in ("hostNetwork", "hostPID", "hostIPC") if spec.get(k) is True]
    found += [("volumes", f"spec.volumes[{v.get('name')}]") for v in items(spec.get("volumes"))
              if not any(k in RESTRICTED_VOLUMES for k in v if k != "name")]
    if dig(pod_sc, "seccompProfile", "type") not in (None, "RuntimeDefault", "Localhost"):
        found.append(("seccompProfile", "spec.securityContext.seccompProfile.type"))
    if pod_sc.get("runAsUser") == 0:
        found.append(("runAsUser", "spec.securityContext.runAsUser"))
    pod_seccomp = dig(pod_sc, "seccompProfile", "type")
    for container in every:
        sc = container.get("securityContext") if isinstance(container.get("securityContext"), dict) else {}
        capabilities = sc.get("capabilities") if isinstance(sc.get("capabilities"), dict) else {}
        added = set(map(str, capabilities.get("add") if isinstance(capabilities.get("add"), list) else []))
        dropped = capabilities.get("drop") if isinstance(capabilities.get("drop"), list) else []
        seccomp = dig(sc, "seccompProfile", "type") or pod_seccomp
        rules = (("privileged", "securityContext.privileged", sc.get("privileged") is True),
                 ("hostPorts", "ports[].hostPort", any(p.get("hostPort") for p in items(container.get("ports")))),
                 ("allowPrivilegeEscalation", "securityContext.allowPrivilegeEscalation",
                  sc.get("allowPrivilegeEscalation") is not False),
                 ("runAsNonRoot", "securityContext.runAsNonRoot",
                  sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is not True),
                 ("runAsUser", "securityContext.runAsUser", sc.get("runAsUser") == 0),
                 ("seccompProfile", "securityContext.seccompProfile.type", seccomp not in ("RuntimeDefault", "Localhost")),
                 ("capabilities", "securityContext.capabilities.drop", "ALL" not in dropped),
                 ("capabilities", "securityContext.capabilities.add", bool(added - {"NET_BIND_SERVICE"})))
        found += [(control, f"{container.get('name')}: {field}") for control, field, broken in rules if broken]
    return found


# --- will it ever work? --------------------------------------------------------------------------------------


def _nodes(view: ClusterView) -> list[dict] | None:
    try:
        return view.list("nodes")
    except ApiError:  # not allowed to read nodes (a classroom): we cannot tell
        return None


def _expression_matches(expression: dict, labels: dict) -> bool:
    key, operator, values = expression.get("key"), expression.get("operator"), expression.get("values") or []
    value = labels.get(key)
    if operator == "In":
        return value in values
    if operator == "NotIn":
        return value not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    if operator in ("Gt", "Lt") and str(value or "").lstrip("-").isdigit() and values:
        try:
            return int(value) > int(values[0]) if operator == "Gt" else int(value) < int(values[0])
        except ValueError:
            return False
    return False


def node_fits(spec: dict, node: dict) -> bool:
    """Whether a node's labels satisfy a pod spec's nodeSelector and required node affinity (taints and room
    aside: those can change)."""
    labels = {**(node["metadata"].get("labels") or {}), "metadata.name": node["metadata"].get("name")}
    selector = spec.get("nodeSelector") if isinstance(spec.get("nodeSelector"), dict) else {}
    if any(labels.get(k) != v for k, v in selector.items()):
        return False
    terms = items(dig(spec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                      "nodeSelectorTerms"))
    return not terms or any(all(_expression_matches(e, labels) for e in items(t.get("matchExpressions")))
                            and all(_expression_matches({**e, "key": "metadata.name"}, labels)
                                    for e in items(t.get("matchFields"))) for t in terms)


def never_schedulable(view: ClusterView, obj: dict | None) -> str | None:
    """Why a pod (or every pod of a template) can never start on this cluster as it is, or None.

    A pod bound to a node that does not exist, or asking (nodeSelector, required affinity) for labels no node
    carries, will not change by waiting; a full node or a taint may."""
    spec = pod_spec(obj)
    nodes = _nodes(view)
    if not spec or nodes is None:
        return None
    names = {n["metadata"].get("name") for n in nodes}
    bound = spec.get("nodeName")
    if bound and bound not in names:
        return f"spec.nodeName {bound}: no such node"
    if not bound and not any(node_fits(spec, n) for n in nodes):
        selector = spec.get("nodeSelector") if isinstance(spec.get("nodeSelector"), dict) else {}
        wanted = ", ".join(f"{k}={v}" for k, v in selector.items()) or "node affinity"
        return f"no node matches {wanted}"
    return None


def claim_unbindable(view: ClusterView, claim: dict | None) -> str | None:
    """Why a Pending claim can never bind as the cluster is, or None (Bound, or it may still bind).

    A claim binds to a PersistentVolume of its class, access modes and at least its size, or is provisioned
    by its StorageClass's provisioner; with neither, waiting changes nothing."""
    if not claim or dig(claim, "status", "phase") not in (None, "Pending"):
        return None
    try:
        volumes, classes = view.list("persistentvolumes"), view.list("storageclasses")
    except ApiError:
        return None
    spec = claim.get("spec") if isinstance(claim.get("spec"), dict) else {}
    wanted_class = spec.get("storageClassName")
    if wanted_class is None:  # no class written: the default class, if there is one
        default = [c for c in classes if (c["metadata"].get("annotations") or {}).get(
            "storageclass.kubernetes.io/is-default-class") == "true"]
        wanted_class = default[0]["metadata"]["name"] if default else ""
    storage_class = next((c for c in classes if c["metadata"]["name"] == wanted_class), None)
    if storage_class is not None and storage_class.get("provisioner") != "kubernetes.io/no-provisioner":
        return None  # a provisioner makes the volume
    if spec.get("volumeName"):
        return None if any(v["metadata"]["name"] == spec["volumeName"] for v in volumes) \
            else f"spec.volumeName {spec['volumeName']}: no such PersistentVolume"
    size = quantity(dig(spec, "resources", "requests", "storage")) or Decimal(0)
    modes = set(spec.get("accessModes") or [])
    for volume in volumes:
        vspec = volume.get("spec") if isinstance(volume.get("spec"), dict) else {}
        ref = vspec.get("claimRef") if isinstance(vspec.get("claimRef"), dict) else {}
        mine = (ref.get("name"), ref.get("namespace")) == (claim["metadata"]["name"],
                                                           claim["metadata"].get("namespace"))
        free = mine or (dig(volume, "status", "phase") == "Available" and not ref.get("name"))
        # a volume reserved for this claim (claimRef) binds whatever its class; any other must be of the class
        if free and (mine or (vspec.get("storageClassName") or "") == wanted_class) \
                and modes <= set(vspec.get("accessModes") or []) \
                and (quantity(dig(vspec, "capacity", "storage")) or 0) >= size \
                and vspec.get("volumeMode", "Filesystem") == spec.get("volumeMode", "Filesystem"):
            return None
    if storage_class is None and wanted_class:
        return f"no StorageClass {wanted_class} and no PersistentVolume of that class for it"
    return f"no PersistentVolume of class \"{wanted_class}\" with {', '.join(sorted(modes))} and " \
           f"{dig(spec, 'resources', 'requests', 'storage')} is free, and nothing provisions one"


# --- secrets -------------------------------------------------------------------------------------------------


def decoded(secret: dict | None, key: str) -> str:
    """One value of a Secret, decoded ("" when absent or not text)."""
    try:
        return base64.b64decode(str(dig(secret, "data", key) or "")).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""


def secret_values(view: ClusterView, *, shortest: int = 8, keys: re.Pattern | None = None,
                  names: set[str] | None = None) -> set[str]:
    """Every decoded value of every Secret in the namespace (or of the Secrets ``names``: a lab's own, in a
    namespace other labs share) at least ``shortest`` long (shorter ones, "app", "true", are too common to count
    as a leak), optionally only under keys matching ``keys``."""
    values = set()
    for secret in view.list("secrets"):
        if secret.get("type") in ("kubernetes.io/service-account-token",):
            continue
        if names is not None and secret["metadata"].get("name") not in names:
            continue
        for key in (secret.get("data") or {}) if isinstance(secret.get("data"), dict) else {}:
            if keys is None or keys.search(str(key)):
                value = decoded(secret, key).strip()
                if len(value) >= shortest:
                    values.add(value)
    return values


@dataclass(frozen=True)
class Leak:
    """Where a secret value is written in plain text (never the value itself)."""

    place: str  # "web: env DB_PASSWORD", "web: annotation note", "ConfigMap settings: app.conf"
    variable: str | None = None  # the environment variable, when the place is one


def plaintext_places(view: ClusterView, workloads: list[dict | None], secrets: set[str], *,
                     configmaps: bool = True) -> list[Leak]:
    """Where a secret value is written in plain text, even inside a larger text: env literals, commands and
    arguments of every container (init and sidecars too), annotations of the workloads and their pod
    templates, and (``configmaps``) the namespace's ConfigMaps."""
    if not secrets:
        return []
    texts: list[tuple[Leak, str]] = []
    for workload in (w for w in workloads if isinstance(w, dict)):
        name = workload["metadata"].get("name")
        for annotated in (workload, dig(workload, "spec", "template")):
            annotations = dig(annotated, "metadata", "annotations")
            texts += [(Leak(f"{name}: annotation {k}"), str(v))
                      for k, v in (annotations if isinstance(annotations, dict) else {}).items()]
        for container in all_containers(workload, init=True):
            texts += [(Leak(f"{name}: env {e.get('name')}", str(e.get("name"))), str(e.get("value")))
                      for e in items(container.get("env")) if e.get("value")]
            words = [container.get("command"), container.get("args")]
            texts += [(Leak(f"{name}: {container.get('name')} command"), str(w)) for ws in words
                      if isinstance(ws, list) for w in ws]
    if configmaps:
        for config in view.list("configmaps"):
            texts += [(Leak(f"ConfigMap {config['metadata']['name']}: {k}"), str(v))
                      for k, v in _data(config).items() if v is not None]
    return [leak for leak, text in texts if any(s in text for s in secrets)]
