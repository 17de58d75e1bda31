"""Small helpers shared by the tests: namespaces, waiting, raw reads."""

from __future__ import annotations

import base64
import re
import time
import uuid
from pathlib import Path

from clusters.api import ApiError, ApiNotFound, get, plain_client, request
from clusters.i18n import LANGUAGES

PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*(![rsa])?\}")


def assert_filled(result) -> None:
    """Every title, message, hint and expected/found of a LabResult, in every language, has its placeholders
    filled: a leftover ``{name}`` means a check forgot a parameter (or one was swallowed)."""
    for lang in LANGUAGES:
        for item in result.as_dict(lang)["checks"]:
            for text in [item["title"], item["message"], item["expected"], item["found"], *item["hints"]]:
                assert not PLACEHOLDER.search(text or ""), f"{item['id']} ({lang}): unfilled {text!r}"


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def create_namespace(api, hint: str) -> str:
    """Create a uniquely named namespace and wait until pods may be created in it."""
    slug = re.sub(r"[^a-z0-9-]", "-", hint.lower())[:40].strip("-")
    name = f"t-{slug}-{uuid.uuid4().hex[:5]}"
    request(api, "POST", "/api/v1/namespaces", body={"metadata": {"name": name}})
    wait_for(lambda: _has_default_sa(api, name), what=f"ServiceAccount default in {name}")
    return name


def _has_default_sa(api, namespace: str) -> bool:
    try:
        get(api, f"/api/v1/namespaces/{namespace}/serviceaccounts/default")
        return True
    except ApiNotFound:
        return False


def service_account_client(admin, name: str, rules: list[dict], namespace: str = "default"):
    """A ServiceAccount bound cluster-wide to ``rules``, and an ApiClient that uses its token."""
    rbac = "/apis/rbac.authorization.k8s.io/v1"
    subject = {"kind": "ServiceAccount", "name": name, "namespace": namespace}
    for path, body in (
        (f"/api/v1/namespaces/{namespace}/serviceaccounts", {"metadata": {"name": name}}),
        (f"{rbac}/clusterroles", {"metadata": {"name": name}, "rules": rules}),
        (f"{rbac}/clusterrolebindings", {"metadata": {"name": name}, "subjects": [subject],
                                         "roleRef": {"apiGroup": "rbac.authorization.k8s.io",
                                                     "kind": "ClusterRole", "name": name}}),
    ):
        try:
            request(admin, "POST", path, body=body)
        except ApiError as exc:
            if exc.status != 409:  # already there from an earlier run against the same cluster
                raise
    token = request(admin, "POST", f"/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token",
                    body={"spec": {"expirationSeconds": 3600}})["status"]["token"]
    return token_client(admin, token)


def token_client(admin, token: str):
    """A Client to the same server as ``admin``, authenticating with a bearer token only."""
    config = {"current-context": "token",
              "clusters": [{"name": "token", "cluster": {"server": admin.host, "certificate-authority-data":
                                                         base64.b64encode(admin.ca_pem).decode()}}],
              "users": [{"name": "token", "user": {"token": token}}],
              "contexts": [{"name": "token", "context": {"cluster": "token", "user": "token"}}]}
    return plain_client(config, Path("kubeconfig"))
