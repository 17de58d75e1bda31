"""Shared fixtures: one cluster per test session.

Tests marked ``cluster`` get the embedded cluster, started once with a private
state folder and kubeconfig and torn down at the end (by tests/notebook_plugin.py,
which also runs the notebooks against it). Set
``KUBELAB_TEST_KUBECONFIG`` (and optionally ``KUBELAB_TEST_CONTEXT``) to run
the same tests against a real cluster such as minikube instead.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from clusters.api import request as send
from clusters.base import Connection
from clusters.embedded import EmbeddedBackend
from tests.notebook_plugin import shared_cluster

# What tests leave for a person to look at (screenshots, reports): never in the checkout.
ARTIFACTS = Path(os.environ.get("KUBELAB_TEST_ARTIFACTS") or Path(tempfile.gettempdir()) / "kubelab-test-artifacts")


@pytest.fixture(scope="session")
def cluster() -> Connection:
    """A running cluster's connection (embedded unless KUBELAB_TEST_KUBECONFIG is set), shared with
    the notebook runs and stopped at the end of the session (tests/notebook_plugin.py)."""
    return shared_cluster()


@pytest.fixture(scope="session")
def embedded(cluster) -> EmbeddedBackend:
    """The embedded backend itself, for tests of its own behaviour (skipped on external clusters)."""
    if os.environ.get("KUBELAB_TEST_KUBECONFIG"):
        pytest.skip("tests the embedded cluster itself")
    return EmbeddedBackend(home=cluster.kubeconfig.parent, merge_kubeconfig=False)


@pytest.fixture
def api(cluster):
    api = cluster.api_client()
    yield api
    api.close()


@pytest.fixture
def namespace(api, request):
    """A fresh namespace for one test, deleted afterwards, with its default ServiceAccount ready."""
    from tests.helpers import create_namespace

    name = create_namespace(api, request.node.name)
    yield name
    send(api, "DELETE", f"/api/v1/namespaces/{name}")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``$KUBELAB_TEST_ARTIFACTS``, else ``kubelab-test-artifacts`` in the temp folder."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


READER_RULES = [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]}]


@pytest.fixture(scope="session")
def reader_api(cluster):
    """An ApiClient for a ServiceAccount that may read everything and write nothing."""
    from tests.helpers import service_account_client

    admin = cluster.api_client()
    try:
        reader = service_account_client(admin, "kubelab-test-reader", READER_RULES)
    finally:
        admin.close()
    yield reader
    reader.close()
