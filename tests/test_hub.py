"""The JupyterHub classroom on the embedded cluster, with real RBAC and each identity's own token.

30 students are provisioned; each one works in their own namespace and can neither read nor change a
classmate's (Secrets included); the grader reads every kind the checks read everywhere and writes nothing.
"""

from __future__ import annotations

import uuid

import pytest
import typer
import yaml
from typer.testing import CliRunner

from checkers import hub
from checkers.cli import hub as hub_cli
from checkers.view import KINDS
from clusters.api import ApiError, ApiForbidden, ApiNotFound, get, request
from clusters.base import Connection
from tests.helpers import wait_for

pytestmark = pytest.mark.cluster
CLASS_SIZE = 30
PRIVILEGED_POD = {"metadata": {"name": "root"}, "spec": {"containers": [
    {"name": "c", "image": "busybox:1.36", "securityContext": {"privileged": True}}]}}


@pytest.fixture(scope="module")
def room(cluster, tmp_path_factory):
    """A provisioned class of 30 and an ApiClient per student (by id) and for the grader, from the kubeconfigs."""
    tag = uuid.uuid4().hex[:4]
    ids = [f"h{tag}-{n:02d}" for n in range(1, CLASS_SIZE + 1)]
    classroom = hub.Classroom(hub_namespace=f"hub-{tag}")
    admin = cluster.api_client()
    folder = tmp_path_factory.mktemp("kubeconfigs")
    hub.provision(admin, ids, classroom)
    hub.write_kubeconfigs(admin, ids, classroom, folder, hours=2)
    clients = {name: Connection(kubeconfig=folder / f"{name}.kubeconfig").api_client() for name in ids + ["grader"]}
    yield ids, classroom, clients, admin, folder
    for api in clients.values():
        api.close()
    hub.deprovision(admin, ids, classroom, shared=False)
    admin.close()


def _allowed(call) -> bool:
    try:
        call()
        return True
    except ApiForbidden:
        return False


def test_dry_run_prints_the_yaml_and_changes_nothing(cluster, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ndry-run-ana,Ana\n")
    app = typer.Typer()
    hub_cli.register(app)
    app.command("noop")(lambda: None)  # a second command keeps `hub` a sub-command
    result = CliRunner().invoke(app, ["hub", "provision", "--roster", str(roster), "--dry-run"])
    assert result.exit_code == 0, result.output
    kinds = {(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(result.stdout)}
    assert ("Namespace", "lab-dry-run-ana") in kinds and ("ServiceAccount", "kubelab-grader") in kinds
    admin = cluster.api_client()
    with pytest.raises(ApiNotFound):
        get(admin, "/api/v1/namespaces/lab-dry-run-ana")
    admin.close()


def test_each_student_works_in_their_own_namespace_and_nowhere_else(room):
    ids, classroom, clients, _admin, _folder = room
    for index, sid in enumerate(ids):
        me, own = clients[sid], classroom.namespace(sid)
        other = classroom.namespace(ids[(index + 1) % len(ids)])
        wait_for(lambda: _allowed(lambda: get(me, f"/api/v1/namespaces/{own}/configmaps")), what=f"{sid} RBAC")
        request(me, "POST", f"/api/v1/namespaces/{own}/configmaps", body={"metadata": {"name": "mine"}})
        request(me, "POST", f"/api/v1/namespaces/{own}/secrets",
                body={"metadata": {"name": "mine"}, "stringData": {"password": sid}})
        assert get(me, f"/api/v1/namespaces/{own}/secrets/mine")["data"]["password"]
        assert get(me, "/api/v1/nodes")["items"], "students may see the nodes"
        for forbidden in (
            lambda: get(me, f"/api/v1/namespaces/{other}/secrets"),
            lambda: get(me, f"/api/v1/namespaces/{other}/secrets/mine"),
            lambda: get(me, f"/api/v1/namespaces/{other}/pods"),
            lambda: get(me, f"/api/v1/namespaces/{other}/configmaps/mine"),
            lambda: request(me, "POST", f"/api/v1/namespaces/{other}/configmaps", body={"metadata": {"name": "x"}}),
            lambda: request(me, "DELETE", f"/api/v1/namespaces/{other}/configmaps/mine"),
            lambda: request(me, "PATCH", f"/api/v1/namespaces/{other}",
                            body={"metadata": {"labels": {"x": "y"}}},
                            content_type="application/merge-patch+json"),
            lambda: get(me, "/api/v1/namespaces"),  # names of classmates
            lambda: get(me, "/api/v1/persistentvolumes"),
        ):
            assert not _allowed(forbidden), f"{sid} reached into a classmate's or the cluster's objects"


def test_pod_security_baseline_refuses_a_privileged_pod(room):
    ids, classroom, clients, _admin, _folder = room
    own = classroom.namespace(ids[0])
    with pytest.raises(ApiError) as refused:
        request(clients[ids[0]], "POST", f"/api/v1/namespaces/{own}/pods", body=PRIVILEGED_POD)
    assert "PodSecurity" in str(refused.value) or "privileged" in str(refused.value)


def test_grader_reads_every_kind_everywhere_and_writes_nothing(room):
    ids, classroom, clients, _admin, _folder = room
    grader = clients["grader"]
    wait_for(lambda: _allowed(lambda: get(grader, "/api/v1/nodes")), what="grader RBAC")
    for sid in ids:
        ns = classroom.namespace(sid)
        for kind, (prefix, namespaced) in KINDS.items():
            path = f"{prefix}/namespaces/{ns}/{kind}" if namespaced else f"{prefix}/{kind}"
            wait_for(lambda: _allowed(lambda: get(grader, path)), timeout=10, what=f"grader list {path}")
        for write in (
            lambda: request(grader, "POST", f"/api/v1/namespaces/{ns}/configmaps", body={"metadata": {"name": "g"}}),
            lambda: request(grader, "DELETE", f"/api/v1/namespaces/{ns}/secrets/mine"),
            lambda: request(grader, "PATCH", f"/api/v1/namespaces/{ns}/configmaps/mine", body={"data": {"a": "b"}},
                            content_type="application/merge-patch+json"),
            lambda: request(grader, "POST", f"/api/v1/namespaces/{ns}/pods/x/exec"),
        ):
            assert not _allowed(write), f"the grader could write in {ns}"
    assert not _allowed(lambda: request(grader, "POST", "/api/v1/namespaces", body={"metadata": {"name": "g"}}))


def test_provisioning_again_changes_nothing(room):
    ids, classroom, _clients, admin, _folder = room
    path = f"/api/v1/namespaces/{classroom.namespace(ids[0])}/resourcequotas/kubelab-quota"
    before = get(admin, path)["metadata"]["resourceVersion"]
    hub.provision(admin, ids, classroom)
    assert get(admin, path)["metadata"]["resourceVersion"] == before


def test_kubeconfigs_are_private_and_default_to_the_students_namespace(room):
    ids, classroom, _clients, _admin, folder = room
    path = folder / f"{ids[0]}.kubeconfig"
    assert path.stat().st_mode & 0o077 == 0
    config = yaml.safe_load(path.read_text())
    assert config["contexts"][0]["context"]["namespace"] == classroom.namespace(ids[0])


def test_deprovision_removes_the_student(cluster):
    admin = cluster.api_client()
    classroom = hub.Classroom(hub_namespace=f"hub-{uuid.uuid4().hex[:4]}")
    sid = f"gone-{uuid.uuid4().hex[:4]}"
    hub.provision(admin, [sid], classroom)
    hub.deprovision(admin, [sid], classroom, shared=False)
    with pytest.raises(ApiNotFound):
        get(admin, f"/api/v1/namespaces/{classroom.hub_namespace}/serviceaccounts/{classroom.account(sid)}")
    with pytest.raises(ApiNotFound):
        get(admin, f"/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/kubelab-student-{sid}")
    phase = wait_for(lambda: _phase(admin, classroom.namespace(sid)), what="namespace deletion started")
    assert phase in ("Terminating", "gone")
    admin.close()


def _phase(api, namespace: str) -> str | None:
    try:
        return get(api, f"/api/v1/namespaces/{namespace}")["status"].get("phase") == "Terminating" and "Terminating"
    except ApiNotFound:
        return "gone"
