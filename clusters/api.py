"""Raw JSON requests to the API server, with every failure mapped to kubelab's errors.

A ``Client`` is one API server: for the common kubeconfig (an HTTPS server, its CA, a client certificate
and/or a bearer token) kubelab talks to it through urllib3 itself, with TLS verification always on; anything
else (exec plugins, auth providers, proxies, skipped verification, in-cluster credentials…) goes through the
official client's ``ApiClient``, imported only then (it costs more start-up time than a whole `kubelab check`).
Responses are decoded as plain JSON, never into the official model classes. Every request has a timeout;
every failure becomes one of the errors below.
"""

from __future__ import annotations

import base64
import json
import os
import ssl
from pathlib import Path
from urllib.parse import quote

import urllib3

from .errors import ApiError, ApiForbidden, ApiMalformed, ApiNotFound, ApiTimeout, ApiUnreachable
from .i18n import _

DEFAULT_TIMEOUT = 10.0
COLLECTIONS = {  # kind → the API collection it is created in ({ns}: its namespace)
    "Namespace": "/api/v1/namespaces",
    "ServiceAccount": "/api/v1/namespaces/{ns}/serviceaccounts",
    "Service": "/api/v1/namespaces/{ns}/services",
    "Endpoints": "/api/v1/namespaces/{ns}/endpoints",
    "Deployment": "/apis/apps/v1/namespaces/{ns}/deployments",
    "ClusterRole": "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    "ClusterRoleBinding": "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
    "CustomResourceDefinition": "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    "IngressClass": "/apis/networking.k8s.io/v1/ingressclasses",
    "GatewayClass": "/apis/gateway.networking.k8s.io/v1/gatewayclasses",
    "EndpointSlice": "/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices",
    "ConfigMap": "/api/v1/namespaces/{ns}/configmaps",
    "RoleBinding": "/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings",
    "APIService": "/apis/apiregistration.k8s.io/v1/apiservices",
    "StorageClass": "/apis/storage.k8s.io/v1/storageclasses",
}

PLAIN_CLUSTER = {"server", "certificate-authority", "certificate-authority-data", "extensions"}
PLAIN_USER = {"client-certificate", "client-certificate-data", "client-key", "client-key-data", "token", "tokenFile",
              "extensions"}


class Client:
    """One API server: its address (``host``) and how requests reach it: a urllib3 pool (TLS always verified)
    with fixed headers, or the official client's ``ApiClient`` (``official``)."""

    def __init__(self, host: str, *, pool: urllib3.PoolManager | None = None, headers: dict | None = None,
                 ca_pem: bytes | None = None, official=None):
        self.host, self.pool, self.headers, self._ca_pem, self.official = host, pool, headers or {}, ca_pem, official

    @classmethod
    def wrap(cls, official) -> Client:
        """A Client over an official ``ApiClient``."""
        return cls(official.configuration.host, official=official)

    @property
    def ca_pem(self) -> bytes | None:
        """The CA the server's certificate is verified with, if the kubeconfig names one (for kubeconfigs kubelab
        hands out)."""
        if self.official is not None:
            ca = self.official.configuration.ssl_ca_cert
            return Path(ca).read_bytes() if ca else None
        return self._ca_pem

    @property
    def verify_tls(self) -> bool:
        return self.official is None or bool(self.official.configuration.verify_ssl)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.official is not None:
            self.official.close()
        elif self.pool is not None:
            self.pool.clear()


def plain_client(config: dict, path: Path, context: str | None = None, pool_size: int | None = None) -> Client | None:
    """A Client for ``context`` (else the current one) of the kubeconfig ``config`` read from ``path`` when it is
    the common kind, reading it as the official client does; None for anything else, or anything odd, which the
    official client then handles (and reports) as before."""
    if any(value and key.lower() in ("https_proxy", "all_proxy") for key, value in os.environ.items()):
        return None  # the official client takes its proxy from the environment
    try:
        selected = _named(config, "contexts", context or config["current-context"])["context"]
        cluster = _named(config, "clusters", selected["cluster"])["cluster"]
        entry = _named(config, "users", selected["user"], missing_ok=True) \
            if selected.get("user") and config.get("users") else None
        user = (entry["user"] if entry else None) or {}
        server = cluster["server"]
        if set(cluster) - PLAIN_CLUSTER or set(user) - PLAIN_USER or not isinstance(server, str) \
                or not server.startswith("https://"):
            return None
        base = os.path.abspath(os.path.dirname(path))
        ca = _file_or_data(cluster, "certificate-authority", base)
        cert, key = _file_or_data(user, "client-certificate", base), _file_or_data(user, "client-key", base)
        token = user["token"] if "token" in user else Path(base, user["tokenFile"]).read_text() \
            if "tokenFile" in user else None
        if bool(cert) != bool(key) or not isinstance(token, (str, type(None))):
            return None
        tls = urllib3.util.ssl_.create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
        tls.load_verify_locations(cadata=ca.decode()) if ca else tls.load_default_certs()
        files = [_file(user, "client-certificate", base), _file(user, "client-key", base)]
        if cert:
            tls.load_cert_chain(*files) if all(files) else _load_cert_chain(tls, cert, key)
    except (KeyError, TypeError, ValueError, AttributeError, OSError, ssl.SSLError):
        return None
    pool = urllib3.PoolManager(cert_reqs=ssl.CERT_REQUIRED, ssl_context=tls, retries=0,
                               maxsize=pool_size or (os.cpu_count() or 1) * 5)
    headers = {"User-Agent": "kubelab", **({"authorization": f"Bearer {token}"} if token else {})}
    return Client(server.rstrip("/"), pool=pool, headers=headers, ca_pem=ca)


def _named(config: dict, key: str, name, missing_ok: bool = False) -> dict | None:
    """The one entry of ``config[key]`` called ``name`` (KeyError when there is none or several)."""
    found = [entry for entry in config[key] if entry["name"] == name]
    if len(found) == 1:
        return found[0]
    if missing_ok and not found:
        return None
    raise KeyError(name)


def _file_or_data(entry: dict, key: str, base: str) -> bytes | None:
    """The content of ``key``-data (base64, preferred) or of the file ``key`` names (relative to ``base``)."""
    if f"{key}-data" in entry:
        return base64.b64decode(entry[f"{key}-data"], validate=False) or None
    file = _file(entry, key, base)
    return Path(file).read_bytes() if file else None


def _file(entry: dict, key: str, base: str) -> str | None:
    """The file ``key`` names (relative to ``base``) when ``key``-data does not take its place."""
    if f"{key}-data" in entry or key not in entry:
        return None
    return os.path.normpath(os.path.join(base, entry[key]))


def _load_cert_chain(tls: ssl.SSLContext, cert: bytes, key: bytes) -> None:
    """Load a client certificate and key held in memory (ssl reads only files: a private one, deleted at once)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kubelab-tls-") as folder:
        for name, content in (("cert", cert), ("key", key)):
            fd = os.open(os.path.join(folder, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as file:
                file.write(content)
        tls.load_cert_chain(os.path.join(folder, "cert"), os.path.join(folder, "key"))


def request(api: Client, method: str, path: str, query: dict | None = None, body=None,
            content_type: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> dict:
    """Send one request and return the decoded JSON body; raise an ApiError on any failure."""
    headers = {"Accept": "application/json", **({"Content-Type": content_type} if content_type else {})}
    response = _send(api, method, path, headers, query, body, timeout)
    return _decode(response.status, response.data, method, path)


def proxy_get(api: Client, namespace: str, kind: str, name: str, port: int, path: str = "/",
              timeout: float = DEFAULT_TIMEOUT, host: str | None = None) -> tuple[int, bytes]:
    """GET ``path`` from a pod or service through the API server's proxy: (HTTP status, body).

    ``host`` sets the Host header, which the proxy passes on (an ingress controller routes by it).
    """
    url = f"/api/v1/namespaces/{namespace}/{kind}/{name}:{port}/proxy/{path.lstrip('/')}"
    response = _send(api, "GET", url, {"Accept": "*/*", **({"Host": host} if host else {})}, None, None, timeout)
    if response.status in (401, 403) and _is_status(response.data):  # our identity may not use the proxy
        _decode(response.status, response.data, "GET", url)
    return response.status, response.data or b""  # a 401 or 403 of the service's own (InfluxDB's) is its answer


def _is_status(data: bytes | None) -> bool:
    """``data`` is a Kubernetes ``Status``: the API server answered, not what it proxies to."""
    try:
        decoded = json.loads(data or b"")
    except ValueError:
        return False
    return isinstance(decoded, dict) and decoded.get("kind") == "Status" and decoded.get("apiVersion") == "v1"


def _send(api: Client, method: str, path: str, headers: dict, query, body, timeout: float):
    api = api if isinstance(api, Client) else Client.wrap(api)  # an official ApiClient works too
    try:
        if api.official is not None:
            params = api.official.param_serialize(method, path, query_params=list((query or {}).items()),
                                                  header_params=headers, body=body, auth_settings=["BearerToken"])
            response = api.official.call_api(*params, _request_timeout=timeout)
            response.read()
            return response
        url = api.host + path + ("?" + "&".join(f"{key}={quote(_text(value))}" for key, value in query.items())
                                 if query else "")
        return api.pool.request(method, url, body=None if body is None else json.dumps(body),
                                headers={**headers, **api.headers}, timeout=urllib3.Timeout(total=timeout))
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        if not _timed_out(exc):
            raise ApiUnreachable(_("The API server at {server} cannot be reached ({reason}).",
                                   server=api.host, reason=type(getattr(exc, "reason", exc)).__name__)) from exc
        raise ApiTimeout(_("The API server at {server} did not answer within {seconds} s.",
                           server=api.host, seconds=timeout)) from exc


def _text(value) -> str:
    """A query value as the official client writes it (booleans in lower case)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _timed_out(exc: Exception) -> bool:
    cause = getattr(exc, "reason", None) or exc  # urllib3 wraps the cause in MaxRetryError
    if isinstance(cause, urllib3.exceptions.NewConnectionError):  # a subclass of ConnectTimeoutError, oddly
        return False
    return isinstance(cause, (urllib3.exceptions.TimeoutError, TimeoutError))


def _decode(status: int, data: bytes, method: str, path: str) -> dict:
    try:
        decoded = json.loads(data or b"{}")
    except ValueError as exc:
        raise ApiMalformed(_("The API server sent something that is not JSON for {path}.", path=path)) from exc
    if 200 <= status < 300:
        if not isinstance(decoded, dict):
            raise ApiMalformed(_("The API server sent something that is not JSON for {path}.", path=path))
        return decoded
    message = decoded.get("message", "") if isinstance(decoded, dict) else ""
    if status in (401, 403):
        raise ApiForbidden(_("Not allowed to {method} {path}: {detail}", method=method, path=path,
                             detail=message))
    if status == 404:
        raise ApiNotFound(_("{path} was not found.", path=path))
    error = ApiError(_("The API server answered {status} to {method} {path}: {detail}", status=status,
                       method=method, path=path, detail=message))
    error.status = status
    raise error


def get(api: Client, path: str, timeout: float = DEFAULT_TIMEOUT, **query) -> dict:
    """GET ``path`` as JSON."""
    return request(api, "GET", path, query=query or None, timeout=timeout)


def apply(api: Client, body: dict) -> None:
    """Create ``body``, or replace the one already there. A Service is left as it is (its spec is mostly
    immutable, and a fixed cluster IP given again is refused as allocated rather than as a conflict)."""
    namespace = body["metadata"].get("namespace", "")
    collection = COLLECTIONS[body["kind"]].format(ns=namespace)
    path = f"{collection}/{body['metadata']['name']}"
    try:
        current = get(api, path)
    except ApiNotFound:
        request(api, "POST", collection, body=body)
        return
    if body["kind"] == "Service":
        return
    body = {**body, "metadata": {**body["metadata"], "resourceVersion": current["metadata"]["resourceVersion"]}}
    request(api, "PUT", path, body=body)
