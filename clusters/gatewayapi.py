"""The Gateway API and the controller that serves it and Ingresses: Traefik (MIT), pinned.

The standard Gateway API CRDs come from the ``sigs.k8s.io/gateway-api`` Go
module (its zip, verified against a pinned SHA-256, holds
``config/crd/standard``); they are cached as JSON under the kubelab cache.
Every backend installs the same cluster-wide objects (CRDs, GatewayClass and
IngressClass ``traefik``, the controller's RBAC); only where Traefik runs
differs (docs/gateway-api.md). ``serving`` measures the capability from the
cluster itself: the controller has accepted the GatewayClass.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
import urllib.request
import zipfile

import yaml

from .api import ApiError, Client, apply, get
from .base import Progress, condition, quiet
from .embedded.components import TRAEFIK_VERSION, cache_root
from .errors import KubelabError
from .files import read_bounded, write_atomic
from .i18n import _

GATEWAY_API_VERSION = "v1.4.0"  # the version Traefik's own go.mod requires
GATEWAY_API_ZIP_SHA256 = "209e17fd8aa93b9444cf358240060e7435668ed7ca80793be160c59a74c4d5bc"
GO_PROXY = "https://proxy.golang.org"
TRAEFIK_IMAGE = f"docker.io/traefik:{TRAEFIK_VERSION}"
CLASS = "traefik"  # both the GatewayClass and the IngressClass
GATEWAY_CONTROLLER = "traefik.io/gateway-controller"
INGRESS_CONTROLLER = "traefik.io/ingress-controller"
NAMESPACE = SERVICE = "traefik"
CONTROLLER_PATH = f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{SERVICE}"  # minikube's Traefik
HTTP_PORT, HTTPS_PORT = 8000, 8443  # Traefik's entry points; a Gateway listener names one of these ports
SERVICE_PORTS = [{"name": "web", "port": 80, "targetPort": HTTP_PORT, "protocol": "TCP"},
                 {"name": "websecure", "port": 443, "targetPort": HTTPS_PORT, "protocol": "TCP"}]
GROUP = "gateway.networking.k8s.io"
CRD_TIMEOUT = 30.0

# What Traefik's Kubernetes Gateway and Ingress providers read and write (its docs' RBAC, merged).
RULES = [
    {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["list", "watch"]},
    # the Ingress provider waits for a Node cache (its NodePort addresses) before it serves any Ingress
    {"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["services", "secrets", "configmaps"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["list", "watch"]},
    {"apiGroups": [GROUP], "resources": ["gatewayclasses", "gateways", "httproutes", "grpcroutes", "tcproutes",
                                         "tlsroutes", "referencegrants", "backendtlspolicies"],
     "verbs": ["get", "list", "watch"]},
    {"apiGroups": [GROUP], "resources": ["gatewayclasses/status", "gateways/status", "httproutes/status",
                                         "grpcroutes/status", "tcproutes/status", "tlsroutes/status",
                                         "referencegrants/status", "backendtlspolicies/status"],
     "verbs": ["update"]},
    {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "ingressclasses"],
     "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses/status"], "verbs": ["update"]},
]
ROLE = "kubelab-traefik"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
CLASSES = f"/apis/{GROUP}/v1/gatewayclasses"



class GatewayUnavailable(KubelabError):
    """The Gateway API CRDs could not be obtained or installed."""


# -- the CRDs -----------------------------------------------------------------------------------
def crds(progress: Progress = quiet) -> list[dict]:
    """The standard-channel CustomResourceDefinitions of the pinned Gateway API release."""
    cached = cache_root() / f"gateway-api-{GATEWAY_API_VERSION}" / "standard-crds.json"
    if cached.is_file():
        return json.loads(read_bounded(cached, 16 << 20))
    docs = [d for d in _crd_documents(_module_zip(progress)) if d.get("kind") == "CustomResourceDefinition"]
    cached.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(cached, json.dumps(docs))
    return docs


def _module_zip(progress: Progress) -> bytes:
    """The module zip: from the Go module cache when a build already fetched it, else from the module proxy."""
    local = (cache_root() / "go" / "mod" / "cache" / "download" / "sigs.k8s.io" / "gateway-api" / "@v"
             / f"{GATEWAY_API_VERSION}.zip")
    data = local.read_bytes() if local.is_file() else b""
    if not data:
        base = os.environ.get("KUBELAB_DOWNLOAD_MIRROR", "").rstrip("/") or GO_PROXY
        url = f"{base}/sigs.k8s.io/gateway-api/@v/{GATEWAY_API_VERSION}.zip"
        progress(_("Downloading {url}", url=url))
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                data = response.read(64 << 20)
        except OSError as exc:
            raise GatewayUnavailable(_("The Gateway API CRDs could not be downloaded from {url}: {error}",
                                       url=url, error=exc)) from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != GATEWAY_API_ZIP_SHA256:
        raise GatewayUnavailable(_("The Gateway API module {version} has SHA-256 {found}, not the pinned {wanted}.",
                                   version=GATEWAY_API_VERSION, found=digest, wanted=GATEWAY_API_ZIP_SHA256))
    return data


def _crd_documents(data: bytes) -> list[dict]:
    prefix = f"sigs.k8s.io/gateway-api@{GATEWAY_API_VERSION}/config/crd/standard/"
    docs = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(archive.namelist()):
            if name.startswith(prefix) and name.endswith(".yaml"):
                docs += [d for d in yaml.safe_load_all(archive.read(name)) if isinstance(d, dict)]
    return docs


# -- the cluster-wide objects -------------------------------------------------------------------
def cluster_objects() -> list[dict]:
    """The GatewayClass, the IngressClass, the controller's namespace and ClusterRole, on every backend."""
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": ROLE},
         "rules": RULES},
        {"apiVersion": f"{GROUP}/v1", "kind": "GatewayClass", "metadata": {"name": CLASS},
         "spec": {"controllerName": GATEWAY_CONTROLLER}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": CLASS},
         "spec": {"controller": INGRESS_CONTROLLER}},
    ]


def flags(address: str, ping: str, status: list[str]) -> list[str]:
    """Traefik's command line: its entry points on ``address`` (empty: every address), ping on ``ping``, both
    providers, the address it publishes in the status of Gateways and Ingresses, and no calls home."""
    return ["--global.checknewversion=false", "--global.sendanonymoususage=false", "--log.level=INFO",
            f"--entrypoints.web.address={address}:{HTTP_PORT}",
            f"--entrypoints.websecure.address={address}:{HTTPS_PORT}",
            f"--entrypoints.traefik.address={ping}", "--ping=true",
            "--providers.kubernetesgateway=true", "--providers.kubernetesingress=true", *status]


def deployment_objects() -> list[dict]:
    """Traefik as a Deployment with its ServiceAccount and a NodePort Service (minikube), as its Helm chart
    shapes them: entry points web 8000 and websecure 8443, published as 80 and 443."""
    meta = {"name": SERVICE, "namespace": NAMESPACE}
    labels = {"app.kubernetes.io/name": "traefik"}
    status = [f"--providers.kubernetesgateway.statusaddress.service.name={SERVICE}",
              f"--providers.kubernetesgateway.statusaddress.service.namespace={NAMESPACE}",
              f"--providers.kubernetesingress.ingressendpoint.publishedservice={NAMESPACE}/{SERVICE}"]
    container = {"name": "traefik", "image": TRAEFIK_IMAGE, "args": flags("", ":9000", status),
                 "ports": [{"name": name, "containerPort": port} for name, port in
                           (("web", HTTP_PORT), ("websecure", HTTPS_PORT), ("traefik", 9000))],
                 "readinessProbe": {"httpGet": {"path": "/ping", "port": 9000}, "periodSeconds": 5},
                 "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                     "runAsNonRoot": True, "runAsUser": 65532, "capabilities": {"drop": ["ALL"]}}}
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta},
        binding({"kind": "ServiceAccount", "name": SERVICE, "namespace": NAMESPACE}),
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {**meta, "labels": labels},
         "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                  "template": {"metadata": {"labels": labels},
                               "spec": {"serviceAccountName": SERVICE, "containers": [container]}}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": meta,
         "spec": {"type": "NodePort", "selector": labels, "ports": SERVICE_PORTS}},
    ]


def binding(subject: dict) -> dict:
    """The ClusterRoleBinding that gives ``subject`` (a User or ServiceAccount) the controller's rights."""
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": ROLE},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": ROLE},
            "subjects": [subject]}


def install(api: Client, extra: list[dict], progress: Progress = quiet) -> None:
    """Install the CRDs, wait until they serve, then the class objects and ``extra`` (idempotent)."""
    progress(_("Installing the Gateway API {version} CRDs and the {name} classes.", version=GATEWAY_API_VERSION,
               name=CLASS))
    definitions = crds(progress)
    for crd in definitions:  # one of this release already established (a second `up`) is left as it is
        found = _crd(api, crd["metadata"]["name"])
        if _bundle_version(found) != _bundle_version(crd) or condition(found, "Established") != "True":
            apply(api, crd)
    deadline = time.monotonic() + CRD_TIMEOUT
    names = [d["metadata"]["name"] for d in definitions]
    while not all(condition(_crd(api, n), "Established") == "True" for n in names):
        if time.monotonic() > deadline:
            raise GatewayUnavailable(_("The Gateway API CRDs were not established within {seconds} s.",
                                       seconds=int(CRD_TIMEOUT)))
        time.sleep(0.2)
    for obj in cluster_objects() + extra:
        apply(api, obj)


def _bundle_version(crd: dict) -> str:
    return ((crd.get("metadata") or {}).get("annotations") or {}).get(f"{GROUP}/bundle-version", "")


def _crd(api: Client, name: str) -> dict:
    try:
        return get(api, f"{CRDS}/{name}")
    except ApiError:
        return {}


# -- what is there --------------------------------------------------------------------------------
def state(api: Client) -> dict:
    """{"crds": the Gateway API is served, "class": GatewayClass traefik exists, "accepted": its controller
    accepted it, "version": the CRDs' bundle version}."""
    try:
        gateway_crd = get(api, f"{CRDS}/gateways.{GROUP}")
    except ApiError:
        return {"crds": False, "class": False, "accepted": False, "version": ""}
    version = _bundle_version(gateway_crd)
    try:
        gateway_class = get(api, f"{CLASSES}/{CLASS}")
    except ApiError:
        return {"crds": True, "class": False, "accepted": False, "version": version}
    return {"crds": True, "class": True, "accepted": condition(gateway_class, "Accepted") == "True",
            "version": version}


def serving(api: Client) -> bool:
    """The Gateway capability, measured: the CRDs are served and the controller accepted the GatewayClass."""
    return state(api)["accepted"]


# -- the doctor -------------------------------------------------------------------------------------
MAX_ROUTES = 500  # routes looked at by the doctor (a classroom's worth)


def findings(api: Client, serving: bool = True) -> list:
    """The doctor's Gateway API findings: CRDs, the class and its controller, Gateways of a class nobody serves,
    then every HTTPRoute's pitfalls. ``serving`` False (the backend sees no controller running) overrides the
    class's Accepted condition, which a controller that died leaves behind."""
    from .doctor import finding

    found = state(api)
    found["accepted"] = found["accepted"] and serving
    if not found["crds"]:
        return [finding("gateway-crds-missing", version=GATEWAY_API_VERSION)]
    if not found["class"]:
        return [finding("gateway-class-missing", name=CLASS)]
    out = [finding("gateway-ok", version=found["version"] or "?", name=CLASS) if found["accepted"]
           else finding("gateway-no-controller", name=CLASS, controller=GATEWAY_CONTROLLER)]
    try:
        routes = get(api, f"/apis/{GROUP}/v1/httproutes", limit=MAX_ROUTES).get("items") or []
        gateways = get(api, f"/apis/{GROUP}/v1/gateways").get("items") or []
        grants = get(api, f"/apis/{GROUP}/v1beta1/referencegrants").get("items") or []
        classes = get(api, CLASSES).get("items") or []
    except ApiError:
        return out
    served = {c["metadata"].get("name") for c in classes if condition(c, "Accepted") == "True"}
    for gateway in gateways[:MAX_ROUTES]:
        wanted = (gateway.get("spec") or {}).get("gatewayClassName")
        if wanted not in served and wanted != CLASS:  # an unserved traefik class: gateway-no-controller says it
            out.append(finding("gateway-class-unserved", namespace=gateway["metadata"].get("namespace", ""),
                               name=gateway["metadata"].get("name", ""), gateway_class=wanted, wanted=CLASS))
    by_name = {(g["metadata"].get("namespace"), g["metadata"].get("name")): g for g in gateways}
    for route in routes:
        try:
            out += [finding(id, **params) for id, params in route_problems(route, by_name, grants, found["accepted"])]
        except (AttributeError, KeyError, TypeError):  # a malformed route: the API server's validation says why
            continue
    return out


def route_problems(route: dict, gateways: dict, grants: list[dict], controller: bool) -> list[tuple[str, dict]]:
    """(finding id, params) for one HTTPRoute: a parent that does not exist, host names no listener takes, a
    backend in another namespace that no ReferenceGrant allows, and what the controller refused."""
    meta, spec = route.get("metadata") or {}, route.get("spec") or {}
    namespace, name = meta.get("namespace", ""), meta.get("name", "")
    where = {"namespace": namespace, "name": name}
    problems = []
    for ref in spec.get("parentRefs") or []:
        gateway = gateways.get((ref.get("namespace", namespace), ref.get("name")))
        if gateway is None:
            problems.append(("route-no-parent", {**where, "gateway": ref.get("name")}))
        elif not _hosts_fit(spec.get("hostnames") or [], (gateway.get("spec") or {}).get("listeners") or []):
            problems.append(("route-hostname-mismatch", {**where, "gateway": ref.get("name"),
                                                          "hosts": ", ".join(spec.get("hostnames") or [])}))
    for rule in spec.get("rules") or []:
        for backend in (rule or {}).get("backendRefs") or []:
            target = backend.get("namespace", namespace)
            if target != namespace and not _granted(grants, namespace, target, backend.get("name")):
                problems.append(("route-backend-not-granted", {**where, "service": backend.get("name"),
                                                                "target": target}))
    if controller and not problems:
        for parent in (route.get("status") or {}).get("parents") or []:
            for cond in parent.get("conditions") or []:
                if cond.get("type") in ("Accepted", "ResolvedRefs") and cond.get("status") == "False":
                    problems.append(("route-not-accepted", {**where, "condition": cond.get("type"),
                                                             "reason": cond.get("reason", ""),
                                                             "gateway": (parent.get("parentRef") or {}).get("name")}))
    return problems


def _hosts_fit(hostnames: list, listeners: list) -> bool:
    """Some listener takes some of the route's host names (no host name on either side takes them all)."""
    if not hostnames:
        return True
    for listener in listeners:
        wanted = listener.get("hostname")
        if not wanted or any(_host_fits(str(wanted), str(h)) or _host_fits(str(h), str(wanted)) for h in hostnames):
            return True
    return False


def _host_fits(pattern: str, host: str) -> bool:
    return pattern == host or (pattern.startswith("*.") and host.endswith(pattern[1:]))


def _granted(grants: list[dict], source: str, target: str, service: str | None) -> bool:
    """A ReferenceGrant in ``target`` lets HTTPRoutes of ``source`` reference Service ``service`` there."""
    for grant in grants:
        if grant["metadata"].get("namespace") != target:
            continue
        spec = grant.get("spec") or {}
        sources = any(f.get("group") == GROUP and f.get("kind") == "HTTPRoute" and f.get("namespace") == source
                      for f in spec.get("from") or [])
        targets = any(t.get("group", "") == "" and t.get("kind") == "Service" and t.get("name", service) == service
                      for t in spec.get("to") or [])
        if sources and targets:
            return True
    return False
