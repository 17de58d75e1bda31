"""Raw JSON requests through the official client, with its failures mapped to kubelab's errors.

The official client's model classes are skipped on purpose: deserializing
into them is the slow part, and they change between releases. Every request
has a timeout; every failure becomes one of the errors below.
"""

from __future__ import annotations

import json

import urllib3
from kubernetes import client

from .errors import ApiError, ApiForbidden, ApiMalformed, ApiNotFound, ApiTimeout, ApiUnreachable  # noqa: F401
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
}



def request(api: client.ApiClient, method: str, path: str, query: dict | None = None, body=None,
            content_type: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> dict:
    """Send one request and return the decoded JSON body; raise an ApiError on any failure."""
    headers = {"Accept": "application/json", **({"Content-Type": content_type} if content_type else {})}
    response = _send(api, method, path, headers, query, body, timeout)
    return _decode(response.status, response.data, method, path)


def proxy_get(api: client.ApiClient, namespace: str, kind: str, name: str, port: int, path: str = "/",
              timeout: float = DEFAULT_TIMEOUT, host: str | None = None) -> tuple[int, bytes]:
    """GET ``path`` from a pod or service through the API server's proxy: (HTTP status, body).

    ``host`` sets the Host header, which the proxy passes on (an ingress controller routes by it).
    """
    url = f"/api/v1/namespaces/{namespace}/{kind}/{name}:{port}/proxy/{path.lstrip('/')}"
    response = _send(api, "GET", url, {"Accept": "*/*", **({"Host": host} if host else {})}, None, None, timeout)
    if response.status in (401, 403):  # our identity may not use the proxy: not the learner's doing
        _decode(response.status, response.data, "GET", url)
    return response.status, response.data or b""


def _send(api: client.ApiClient, method: str, path: str, headers: dict, query, body, timeout: float):
    server = api.configuration.host
    try:
        params = api.param_serialize(method, path, query_params=list((query or {}).items()), header_params=headers,
                                     body=body, auth_settings=["BearerToken"])
        response = api.call_api(*params, _request_timeout=timeout)
        response.read()
        return response
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        if not _timed_out(exc):
            raise ApiUnreachable(_("The API server at {server} cannot be reached ({reason}).",
                                   server=server, reason=type(getattr(exc, "reason", exc)).__name__)) from exc
        raise ApiTimeout(_("The API server at {server} did not answer within {seconds} s.",
                           server=server, seconds=timeout)) from exc


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


def get(api: client.ApiClient, path: str, timeout: float = DEFAULT_TIMEOUT, **query) -> dict:
    """GET ``path`` as JSON."""
    return request(api, "GET", path, query=query or None, timeout=timeout)


def apply(api: client.ApiClient, body: dict) -> None:
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
