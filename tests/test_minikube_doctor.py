"""`kubelab doctor` on minikube: one test per finding, through the stand-in ``minikube``.

Addon health needs the Kubernetes API: it is read through ``clusters.minikube.addons.get``,
replaced here by a table of objects (the backend's API boundary).
"""

from __future__ import annotations

import json
import platform
import socket

import pytest

from clusters.base import Backend, Capabilities, Connection, Status
from clusters import gatewayapi
from clusters.doctor import CATALOG, OK, PROBLEM, WARNING, backend_findings, examine
from clusters.minikube import MinikubeBackend
from clusters.minikube import addons
from tests.fixtures.minikube.standin import READY, standin  # noqa: F401  (fixture)

DEPLOYMENT_READY = {"kind": "Deployment", "spec": {"replicas": 1}, "status": {"readyReplicas": 1}}
POD_READY = {"kind": "Pod", "metadata": {"name": "storage-provisioner"},
             "status": {"conditions": [{"type": "Ready", "status": "True"}]}}


@pytest.fixture
def api_objects(monkeypatch) -> dict:
    """Path → object the fake API returns; every addon object is ready unless a test changes it."""
    objects = {path: (POD_READY if "pods" in path else DEPLOYMENT_READY) for _, path in addons.ADDON_OBJECTS.values()}
    objects[gatewayapi.CONTROLLER_PATH] = DEPLOYMENT_READY  # Traefik, installed by `kubelab up`
    monkeypatch.setattr(addons, "get", lambda api, path: objects[path])
    return objects


@pytest.fixture
def node_port(standin):
    """A listening port on 127.0.0.1 standing for the node's API server, so the node is reachable."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        standin.set(ip="127.0.0.1", port=server.getsockname()[1])
        yield


def ids(findings) -> dict[str, str]:
    return {f.id: f.severity for f in findings}


def doctor(api=object()) -> dict[str, str]:
    return ids(MinikubeBackend().findings(api))


def test_healthy_profile(standin, api_objects, node_port):
    standin.profile(**READY)
    assert doctor() == {"minikube": OK, "profile-running": OK, "addons-ready": OK}


def test_minikube_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert doctor() == {"minikube-missing": PROBLEM}


def test_minikube_too_old(standin):
    standin.set(version="v1.23.2")
    [found] = MinikubeBackend().findings(None)
    assert (found.id, found.seen) == ("minikube-too-old", "minikube v1.23.2 is older than v1.24.0, the oldest "
                                                          "kubelab supports.")


def test_profile_missing_and_stopped(standin):
    assert doctor() == {"minikube": OK, "profile-missing": PROBLEM}
    standin.profile(running=False)
    found = MinikubeBackend().findings(None)
    assert ids(found) == {"minikube": OK, "profile-stopped": PROBLEM}
    assert "host: Stopped" in found[-1].seen and found[-1].fix == "Run `kubelab up --backend minikube`."


def test_context_pointing_elsewhere(standin, api_objects, node_port):
    standin.profile(**READY)
    standin.select_context("docker-desktop")
    found = {f.id: f for f in MinikubeBackend().findings(object())}
    assert found["wrong-context"].severity == PROBLEM
    assert "docker-desktop" in found["wrong-context"].seen and "minikube profile kubelab" in found["wrong-context"].fix


def test_disabled_addons(standin, api_objects, node_port):
    standin.profile(**{**READY, "addons": {**READY["addons"], "metrics-server": False, "headlamp": False}})
    found = [f for f in MinikubeBackend().findings(object()) if f.id == "addon-disabled"]
    assert [(f.severity, f.fix) for f in found] == [
        (PROBLEM, "Run `minikube addons enable metrics-server -p kubelab`, or `kubelab up --backend minikube`."),
        (WARNING, "Run `minikube addons enable headlamp -p kubelab`, or `kubelab up --backend minikube`.")]


def test_addon_pods_not_ready(standin, api_objects, node_port):
    standin.profile(**READY)
    api_objects["/apis/apps/v1/namespaces/kube-system/deployments/metrics-server"] = {
        **DEPLOYMENT_READY, "status": {}}
    api_objects["/api/v1/namespaces/kube-system/pods/storage-provisioner"] = {
        **POD_READY, "status": {"conditions": [{"type": "Ready", "status": "False"}]}}
    found = [f for f in MinikubeBackend().findings(object()) if f.id == "addon-not-ready"]
    assert [f.seen for f in found] == [
        "The minikube addon storage-provisioner is enabled but not ready: pod storage-provisioner not Ready.",
        "The minikube addon metrics-server is enabled but not ready: 0/1 replicas ready."]
    assert "kubectl -n kube-system get pods" in found[1].fix


def test_ingress_addon_is_not_needed_but_traefik_is(standin, api_objects, node_port, monkeypatch):
    """ingress-nginx (the `ingress` addon) is retired: its absence is fine; Traefik missing or not ready is not."""
    from clusters.api import ApiNotFound

    standin.profile(**READY)
    assert "addon-disabled" not in doctor() and "gateway-controller-not-ready" not in doctor()
    api_objects[gatewayapi.CONTROLLER_PATH] = {**DEPLOYMENT_READY, "status": {}}
    [found] = [f for f in MinikubeBackend().findings(object()) if f.id == "gateway-controller-not-ready"]
    assert found.severity == PROBLEM and "0/1 replicas ready" in found.seen
    assert "kubectl -n traefik get pods" in found.fix and "kubelab up --backend minikube" in found.fix

    def missing(api, path):
        raise ApiNotFound("not found")

    monkeypatch.setattr(addons, "get", missing)
    [found] = [f for f in MinikubeBackend().findings(object()) if f.id == "gateway-controller-not-ready"]
    assert "traefik not found" in found.seen


def test_addon_health_is_skipped_without_the_api(standin, api_objects, node_port):
    standin.profile(**READY)
    api_objects.clear()  # any read would fail
    assert "addon-not-ready" not in doctor(api=None)


def test_metallb_without_pool(standin, api_objects, node_port):
    standin.profile(**{**READY, "lb": ["", ""]})
    assert doctor()["metallb-unconfigured"] == PROBLEM


def test_docker_driver_on_macos_needs_the_tunnel(standin, api_objects, monkeypatch):
    standin.profile(**READY)
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    found = {f.id: f for f in MinikubeBackend().findings(object())}
    assert found["needs-tunnel"].severity == WARNING and "minikube tunnel -p kubelab" in found["needs-tunnel"].fix
    assert found["nodeport-unreachable"].severity == WARNING  # known without probing
    monkeypatch.setattr("clusters.minikube.findings.tunnel_running", lambda profile, active: True)
    assert {"tunnel-running", "nodeport-unreachable"} <= set(doctor()) and "needs-tunnel" not in doctor()


def test_vm_driver_on_macos_needs_no_tunnel(standin, api_objects, node_port, monkeypatch):
    standin.profile(**READY)
    standin.set(driver="vfkit")
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    assert "needs-tunnel" not in doctor()


def test_nodeport_unreachable_when_the_node_does_not_answer(standin, api_objects):
    standin.profile(**READY)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        standin.set(ip="127.0.0.1", port=probe.getsockname()[1])
    found = {f.id: f for f in MinikubeBackend().findings(object())}
    assert "minikube service <name> -n <namespace> --url -p kubelab" in found["nodeport-unreachable"].fix


def test_too_little_memory_or_cpu(standin, api_objects, node_port):
    standin.profile(**{**READY, "memory": 2200, "cpus": 2})
    assert doctor()["low-resources"] == WARNING
    standin.profile(**{**READY, "memory": 8000, "cpus": 1})
    assert doctor()["low-resources"] == WARNING


def test_multinode_hostpath_and_docker_env(standin, api_objects, node_port):
    standin.profile(**{**READY, "nodes": 3})
    found = doctor()
    assert found["multinode-hostpath"] == WARNING and found["multinode-docker-env"] == WARNING
    standin.profile(**{**READY, "nodes": 3, "addons": {**READY["addons"], "storage-provisioner": False}})
    assert "multinode-hostpath" not in doctor()


def test_a_hanging_minikube_becomes_a_finding(standin):
    standin.profile()
    standin.set(sleep={"status": 10})
    backend = MinikubeBackend()
    backend.cli.timeout = 1
    [found] = backend_findings(backend, None)
    assert found.id == "backend-error" and "did not finish within 1 s" in found.seen


def test_examine_a_stopped_profile(standin):
    standin.profile(running=False)
    report = examine(MinikubeBackend())
    assert [f.id for f in report.findings][:2] == ["minikube", "profile-stopped"]  # no generic "no-cluster"
    assert not report.healthy


def test_examine_a_running_profile_whose_api_does_not_answer(standin, node_port):
    standin.profile(**READY)
    standin.kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "kubelab",
        "clusters": [{"name": "kubelab", "cluster": {"server": "https://127.0.0.1:1"}}],
        "users": [{"name": "kubelab", "user": {"token": "t"}}],
        "contexts": [{"name": "kubelab", "context": {"cluster": "kubelab", "user": "kubelab"}}]}))
    found = ids(examine(MinikubeBackend()).findings)
    assert found["api-unreachable"] == PROBLEM and found["profile-running"] == OK
    assert "addon-not-ready" not in found


def test_doctor_json_for_tools(standin, capsys):
    from checkers.cli import main

    standin.profile(running=False)
    assert main(["doctor", "--backend", "minikube", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["backend"] == "minikube" and report["healthy"] is False
    assert {"id", "severity", "seen", "fix"} == set(report["findings"][1]) and report["findings"][1]["fix"]


def test_backends_without_findings_keep_the_common_checks():
    class Elsewhere(Backend):
        name = "elsewhere"

        def start(self, nodes=None, progress=None):
            raise NotImplementedError

        def stop(self, progress=None):
            return False

        def status(self):
            return Status(self.name, True, Connection(context="x"))

        def connection(self):
            from clusters.errors import ClusterNotRunning
            raise ClusterNotRunning("not running")

        def capabilities(self, api):
            return Capabilities()

    report = examine(Elsewhere())
    assert [f.id for f in report.findings][0] == "no-cluster" and report.findings[0].seen == "not running"
    assert backend_findings(Elsewhere(), None) == []


def test_catalog_is_complete_for_the_docs():
    for finding_id, entry in CATALOG.items():
        assert entry.severity in (OK, WARNING, PROBLEM), finding_id
        assert entry.seen.endswith((".", ":")) or "{error}" in entry.seen, finding_id
        if entry.severity != OK:
            assert entry.fix.endswith("."), finding_id


def test_archived_dashboard_addon_is_a_warning(standin, api_objects, node_port):
    standin.profile(**{**READY, "addons": {**READY["addons"], "dashboard": True}})
    found = {f.id: f for f in MinikubeBackend().findings(object())}
    assert found["dashboard-archived"].severity == WARNING
    assert "minikube addons disable dashboard -p kubelab" in found["dashboard-archived"].fix
