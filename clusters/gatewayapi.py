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
from kubernetes import client

from .api import ApiError, apply, get
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
HTTP_PORT, HTTPS_PORT = 8000, 8443  # Traefik's entry points; a Gateway listener names one of these ports
SERVICE_PORTS = [{"name": "web", "port": 80, "targetPort": HTTP_PORT, "protocol": "TCP"},
                 {"name": "websecure", "port": 443, "targetPort": HTTPS_PORT, "protocol": "TCP"}]
GROUP = "gateway.networking.k8s.io"
CRD_TIMEOUT = 30.0

# What Traefik's Kubernetes Gateway and Ingress providers read and write (its docs' RBAC, merged).
RULES = [
    {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["list", "watch"]},
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


def binding(subject: dict) -> dict:
    """The ClusterRoleBinding that gives ``subject`` (a User or ServiceAccount) the controller's rights."""
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": ROLE},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": ROLE},
            "subjects": [subject]}


def install(api: client.ApiClient, extra: list[dict], progress: Progress = quiet) -> None:
    """Install the CRDs, wait until they serve, then the class objects and ``extra`` (idempotent)."""
    progress(_("Installing the Gateway API {version} CRDs and the {name} classes.", version=GATEWAY_API_VERSION,
               name=CLASS))
    definitions = crds(progress)
    for crd in definitions:
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


def _crd(api: client.ApiClient, name: str) -> dict:
    try:
        return get(api, f"{CRDS}/{name}")
    except ApiError:
        return {}


# -- what is there --------------------------------------------------------------------------------
def state(api: client.ApiClient) -> dict:
    """{"crds": the Gateway API is served, "class": GatewayClass traefik exists, "accepted": its controller
    accepted it, "version": the CRDs' bundle version}."""
    try:
        gateway_crd = get(api, f"{CRDS}/gateways.{GROUP}")
    except ApiError:
        return {"crds": False, "class": False, "accepted": False, "version": ""}
    version = (gateway_crd["metadata"].get("annotations") or {}).get(f"{GROUP}/bundle-version", "")
    try:
        gateway_class = get(api, f"{CLASSES}/{CLASS}")
    except ApiError:
        return {"crds": True, "class": False, "accepted": False, "version": version}
    return {"crds": True, "class": True, "accepted": condition(gateway_class, "Accepted") == "True",
            "version": version}


def serving(api: client.ApiClient) -> bool:
    """The Gateway capability, measured: the CRDs are served and the controller accepted the GatewayClass."""
    return state(api)["accepted"]
