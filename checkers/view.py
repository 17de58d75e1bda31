"""The read-only window every check looks through.

One LIST per kind per namespace per run, shared by all checks of the run,
read as raw JSON. A failed LIST is remembered too, so ten checks that need
pods against a forbidden namespace cost one request and give ten errors.
There are no write methods, by design.
"""

from __future__ import annotations

from clusters.api import ApiError, Client, get, proxy_get
from clusters.base import condition  # noqa: F401  (re-exported for checks)

# kind (plural resource) → (API prefix, namespaced)
KINDS: dict[str, tuple[str, bool]] = {
    "pods": ("/api/v1", True),
    "services": ("/api/v1", True),
    "endpoints": ("/api/v1", True),
    "configmaps": ("/api/v1", True),
    "secrets": ("/api/v1", True),
    "persistentvolumeclaims": ("/api/v1", True),
    "serviceaccounts": ("/api/v1", True),
    "events": ("/api/v1", True),
    "limitranges": ("/api/v1", True),
    "resourcequotas": ("/api/v1", True),
    "nodes": ("/api/v1", False),
    "namespaces": ("/api/v1", False),
    "persistentvolumes": ("/api/v1", False),
    "deployments": ("/apis/apps/v1", True),
    "replicasets": ("/apis/apps/v1", True),
    "statefulsets": ("/apis/apps/v1", True),
    "daemonsets": ("/apis/apps/v1", True),
    "jobs": ("/apis/batch/v1", True),
    "cronjobs": ("/apis/batch/v1", True),
    "endpointslices": ("/apis/discovery.k8s.io/v1", True),
    "ingresses": ("/apis/networking.k8s.io/v1", True),
    "ingressclasses": ("/apis/networking.k8s.io/v1", False),
    "networkpolicies": ("/apis/networking.k8s.io/v1", True),
    "storageclasses": ("/apis/storage.k8s.io/v1", False),
    "roles": ("/apis/rbac.authorization.k8s.io/v1", True),
    "rolebindings": ("/apis/rbac.authorization.k8s.io/v1", True),
    "horizontalpodautoscalers": ("/apis/autoscaling/v2", True),
    "poddisruptionbudgets": ("/apis/policy/v1", True),
    "gatewayclasses": ("/apis/gateway.networking.k8s.io/v1", False),
    "gateways": ("/apis/gateway.networking.k8s.io/v1", True),
    "httproutes": ("/apis/gateway.networking.k8s.io/v1", True),
    "referencegrants": ("/apis/gateway.networking.k8s.io/v1beta1", True),
}


class ClusterView:
    """Cached, read-only access to one namespace (and the cluster-scoped kinds)."""

    def __init__(self, api: Client, namespace: str, timeout: float = 5.0):
        self.api = api
        self.namespace = namespace
        self.timeout = timeout
        self.requests = 0
        self._lists: dict[str, list[dict] | dict | ApiError] = {}

    def list(self, kind: str) -> list[dict]:
        """Every object of ``kind`` in the namespace (or cluster-wide for cluster-scoped kinds)."""
        if kind not in self._lists:
            self._lists[kind] = self._fetch(kind)
        cached = self._lists[kind]
        if isinstance(cached, ApiError):
            raise cached
        return cached

    def get(self, kind: str, name: str) -> dict | None:
        """The object called ``name``, or None; served from the kind's list."""
        return next((o for o in self.list(kind) if o["metadata"]["name"] == name), None)

    def own_namespace(self) -> dict:
        """The Namespace object itself, read once (a learner may read their own, not list them all)."""
        if "namespace" not in self._lists:
            self.requests += 1
            try:
                self._lists["namespace"] = get(self.api, f"/api/v1/namespaces/{self.namespace}", timeout=self.timeout)
            except ApiError as exc:
                self._lists["namespace"] = exc
        cached = self._lists["namespace"]
        if isinstance(cached, ApiError):
            raise cached
        return cached

    def namespace_exists(self) -> bool | None:
        """True or False, or None when we may not look (the checks then decide for themselves)."""
        try:
            self.own_namespace()
            return True
        except ApiError as exc:
            if exc.status == 404:
                return False
            if exc.status == 403:
                return None
            raise

    def proxy_get(self, kind: str, name: str, port: int, path: str = "/", *, namespace: str | None = None,
                  host: str | None = None) -> tuple[int, bytes]:
        """A data-plane read: GET ``path`` from a pod or service through the API server's proxy.

        ``namespace`` reaches a shared service elsewhere (an ingress controller); ``host`` sets the Host header.
        """
        self.requests += 1
        return proxy_get(self.api, namespace or self.namespace, kind, name, port, path, timeout=self.timeout,
                         host=host)

    def refresh(self) -> None:
        """Forget what was read, so the next read sees the cluster as it is now."""
        self._lists.clear()

    def _fetch(self, kind: str) -> list[dict] | ApiError:
        prefix, namespaced = KINDS[kind]
        path = f"{prefix}/namespaces/{self.namespace}/{kind}" if namespaced else f"{prefix}/{kind}"
        self.requests += 1
        try:
            items = get(self.api, path, timeout=self.timeout).get("items")
        except ApiError as exc:
            return exc
        return [o for o in items or [] if isinstance(o, dict) and isinstance(o.get("metadata"), dict)]


def owned_by(objects: list[dict], owner: dict) -> list[dict]:
    """The objects whose ownerReferences name ``owner`` by uid (what controllers set, not labels)."""
    uid = owner["metadata"].get("uid")
    return [o for o in objects if any(ref.get("uid") == uid for ref in o["metadata"].get("ownerReferences") or [])]


def labels_match(selector: dict | None, labels: dict | None) -> bool:
    """Whether a Service-style equality selector selects ``labels`` (an empty selector selects nothing)."""
    return bool(selector) and all((labels or {}).get(k) == v for k, v in selector.items())
