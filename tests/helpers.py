"""Small helpers shared by the tests: namespaces, waiting, raw reads."""

from __future__ import annotations

import re
import time
import uuid

from clusters.api import ApiNotFound, get, request


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
