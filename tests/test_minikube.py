"""The minikube wrapper and backend, driven through the stand-in ``minikube`` (tests/fixtures/minikube/)."""

from __future__ import annotations

import subprocess
import time

import pytest

import clusters
from clusters.base import Capabilities
from clusters.errors import ClusterNotRunning
from clusters.kubeconfig import current_context
from clusters.minikube import Minikube, MinikubeBackend
from clusters.minikube import backend as backend_module
from clusters.minikube import addons
from clusters.minikube.cli import (MinikubeFailed, MinikubeMalformed, MinikubeMissing, MinikubeTimeout,
                                   MinikubeTooOld, parse_version)
from tests.fixtures.minikube.standin import READY, SCRIPT, standin  # noqa: F401  (fixture)

CHANGES = {"start", "stop", "enable", "configure", "add"}


def changing(commands: list[list[str]]) -> list[list[str]]:
    """The commands that change the cluster (start, addons enable/configure, node add, profile NAME)."""
    return [c for c in commands if CHANGES & set(c[:3]) or c[:2] == ["profile", "kubelab"]]


# -- reading -------------------------------------------------------------------------------------
def test_version_is_read_from_json(standin):
    assert Minikube().version() == (1, 38, 1)
    assert parse_version("v1.39.0-beta.0") == (1, 39, 0)
    with pytest.raises(MinikubeMalformed):
        parse_version("devel")


def test_status_one_node_object_many_nodes_list_and_bitmask_exit(standin):
    cli = Minikube()
    assert cli.status() == []  # missing profile: exit 85
    standin.profile()
    assert [n.running for n in cli.status()] == [True]
    standin.profile(nodes=3)
    nodes = cli.status()
    assert [n.name for n in nodes] == ["kubelab", "kubelab-m02", "kubelab-m03"]
    assert [n.worker for n in nodes] == [False, True, True] and all(n.running for n in nodes)
    standin.profile(running=False)  # exit code 7, JSON still printed
    assert [(n.host, n.running) for n in cli.status()] == [("Stopped", False)]


def test_profile_list_gives_driver_nodes_resources_addons_and_pool(standin):
    assert Minikube().profile_config() is None
    standin.profile(nodes=2, memory=2200, cpus=4, lb=["10.0.0.1", "10.0.0.2"])
    config = Minikube().profile_config()
    assert (config.driver, config.memory_mb, config.cpus, config.primary_ip) == ("docker", 2200, 4, "192.168.49.2")
    assert [n["Name"] for n in config.nodes] == ["", "m02"]
    assert config.addons == {"default-storageclass": True, "storage-provisioner": True}
    assert config.load_balancer_range == ("10.0.0.1", "10.0.0.2") and config.active is True


def test_addons_list_with_and_without_profile(standin):
    assert not any(Minikube().addons().values())  # a missing profile makes every value {}
    standin.profile()
    enabled = Minikube().addons()
    assert enabled["storage-provisioner"] and not enabled["ingress"]


def test_hanging_minikube_times_out_with_a_clear_message(standin):
    standin.set(sleep={"status": 10})
    started = time.monotonic()
    with pytest.raises(MinikubeTimeout, match=r"`minikube status -o json` did not finish within 1 s"):
        Minikube(timeout=1).status()
    assert time.monotonic() - started < 5


def test_failing_minikube_reports_its_last_line(standin):
    standin.set(fail={"addons list": [1, "E0101 noise\nX Exiting due to GUEST_STATUS: state: unknown"]})
    with pytest.raises(MinikubeFailed, match=r"exit code 1\): X Exiting due to GUEST_STATUS"):
        Minikube().addons()


@pytest.mark.parametrize("command, call", [("profile list", lambda c: c.profile_config()),
                                           ("version", lambda c: c.version()),
                                           ("status", lambda c: c.status()),
                                           ("ip", lambda c: c.ip())])
def test_garbage_output_is_malformed_not_a_crash(standin, command, call):
    standin.profile()
    standin.set(garbage=[command])
    with pytest.raises(MinikubeMalformed):
        call(Minikube())


def test_missing_minikube(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert Minikube.path() is None
    with pytest.raises(MinikubeMissing, match="no `minikube` on PATH"):
        Minikube().status()
    assert MinikubeBackend().status().running is False


def test_ip_docker_env_and_multinode_refusal(standin):
    standin.profile()
    cli = Minikube()
    assert cli.ip() == "192.168.49.2"
    assert cli.docker_env()["MINIKUBE_ACTIVE_DOCKERD"] == "kubelab"
    standin.profile(nodes=2)
    with pytest.raises(MinikubeFailed, match="incompatible with multi-node"):
        cli.docker_env()


def test_service_url_returns_or_times_out_when_minikube_holds_a_tunnel(standin):
    standin.profile()
    assert Minikube().service_urls("web", "lab") == ["http://192.168.49.2:30080"]
    standin.set(driver_needs_port_forward=True)
    with pytest.raises(MinikubeTimeout):
        Minikube(timeout=1).service_urls("web", "lab")


def test_image_commands_build_on_every_node(standin):
    standin.profile()
    Minikube().image_load("web:1.0")
    Minikube().image_build("./app", "web:1.0")
    assert standin.commands()[-2:] == [["image", "load", "web:1.0", "-p", "kubelab"],
                                       ["image", "build", "-t", "web:1.0", "./app", "--all", "-p", "kubelab"]]


def test_metallb_prompts_are_answered_one_at_a_time(standin):
    standin.profile()
    Minikube().configure_metallb("192.168.49.200", "192.168.49.210")
    assert standin.state["profile"]["lb"] == ["192.168.49.200", "192.168.49.210"]
    # what the stand-in models, as minikube does: both answers at once lose the second
    piped = subprocess.run([str(SCRIPT), "addons", "configure", "metallb", "-p", "kubelab"],
                           input="192.168.49.200\n192.168.49.210\n", capture_output=True, text=True)
    assert piped.returncode == 1 and "EOF" in piped.stderr


def test_tunnel_is_seen_while_it_runs(standin):
    standin.profile()
    assert not addons.tunnel_running("kubelab", True)
    proc = Minikube().tunnel()
    try:
        deadline = time.monotonic() + 10
        while not addons.tunnel_running("kubelab", True) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert addons.tunnel_running("kubelab", True)
        assert not addons.tunnel_running("other", True)
    finally:
        proc.kill()
        proc.wait()
    assert not addons.tunnel_running("kubelab", True)


# -- kubelab up / down / status --------------------------------------------------------------------
def test_up_creates_the_profile_with_everything_the_labs_need(standin):
    from checkers.cli import main

    assert main(["up", "--backend", "minikube"]) == 0
    assert changing(standin.commands()) == [
        ["start", "--nodes=1", "--container-runtime=docker", "-p", "kubelab"],
        ["addons", "enable", "metrics-server", "-p", "kubelab"],
        ["addons", "enable", "metallb", "-p", "kubelab"],
        ["addons", "enable", "headlamp", "--images=Headlamp=ghcr.io/headlamp-k8s/headlamp:v0.43.0", "-p", "kubelab"],
        ["addons", "configure", "metallb", "-p", "kubelab"],
        ["profile", "kubelab", "-p", "kubelab"],
    ]
    assert standin.state["profile"]["lb"] == ["192.168.49.200", "192.168.49.210"]
    assert current_context() == "kubelab"


def test_second_up_changes_nothing(standin):
    from checkers.cli import main

    assert main(["up", "--backend", "minikube"]) == 0
    standin.clear_log()
    assert main(["up", "--backend", "minikube"]) == 0
    assert standin.commands() and changing(standin.commands()) == []


def test_up_starts_a_stopped_profile_without_recreating_it(standin):
    standin.profile(**{**READY, "running": False})
    MinikubeBackend().start()
    assert changing(standin.commands()) == [["start", "-p", "kubelab"]]  # start also selects the context


def test_up_repairs_only_what_is_missing(standin):
    standin.profile(**{**READY, "addons": {**READY["addons"], "metrics-server": False}})
    standin.select_context("elsewhere")
    MinikubeBackend().start()
    assert changing(standin.commands()) == [["addons", "enable", "metrics-server", "-p", "kubelab"],
                                            ["profile", "kubelab", "-p", "kubelab"]]
    assert current_context() == "kubelab"


def test_up_with_three_nodes_adds_nodes_and_warns(standin):
    standin.profile(**READY)
    said: list[str] = []
    MinikubeBackend().start(nodes=3, progress=said.append)
    assert changing(standin.commands()) == [["node", "add", "-p", "kubelab"]] * 2
    assert any("hostPath" in line for line in said) and any("docker-env" in line for line in said)


def test_up_refuses_a_too_old_minikube(standin):
    from checkers.cli import main

    standin.set(version="v1.20.0")
    with pytest.raises(MinikubeTooOld, match="older than v1.24.0"):
        MinikubeBackend().start()
    assert main(["up", "--backend", "minikube"]) == 2
    assert changing(standin.commands()) == []


def test_status_connection_and_stop(standin):
    backend = MinikubeBackend()
    assert backend.status().running is False
    with pytest.raises(ClusterNotRunning, match="kubelab up --backend minikube"):
        backend.connection()
    backend.start()
    status = backend.status()
    assert status.running and status.connection.context == "kubelab"
    assert status.server == "https://127.0.0.1:1"
    assert backend.stop() is True and standin.state["profile"]["running"] is False
    assert backend.stop() is False


def test_capabilities_follow_addons_controller_and_metallb(standin, monkeypatch):
    """ingress comes from kubelab's Traefik Deployment being ready, whatever minikube's ingress addon says."""
    standin.profile(**READY)
    monkeypatch.setattr(backend_module, "detect_capabilities", lambda api: Capabilities(data_plane=True, nodes=1))
    ready = {"kind": "Deployment", "spec": {"replicas": 1}, "status": {"readyReplicas": 1}}
    read: list[str] = []
    monkeypatch.setattr(addons, "get", lambda api, path: read.append(path) or ready)
    caps = MinikubeBackend().capabilities(api=None)
    assert (caps.ingress, caps.load_balancer, caps.nodes) == (True, True, 1)
    assert read == ["/apis/apps/v1/namespaces/traefik/deployments/traefik"]
    monkeypatch.setattr(addons, "get", lambda api, path: {**ready, "status": {}})
    standin.profile(**{**READY, "lb": ["", ""]})
    caps = MinikubeBackend().capabilities(api=None)
    assert (caps.ingress, caps.load_balancer) == (False, False)


def test_ingress_needs_traefik_not_the_ingress_addon(standin, monkeypatch):
    from clusters.api import ApiNotFound

    standin.profile(**{**READY, "addons": {**READY["addons"], "ingress": True}})
    monkeypatch.setattr(backend_module, "detect_capabilities", lambda api: Capabilities(data_plane=True, nodes=1))

    def missing(api, path):
        raise ApiNotFound("not found")

    monkeypatch.setattr(addons, "get", missing)
    assert MinikubeBackend().capabilities(api=None).ingress is False
    assert MinikubeBackend().enable_command("ingress", True) == "kubelab up --backend minikube"


def test_capabilities_count_a_running_tunnel_as_load_balancer(standin, monkeypatch):
    standin.profile()
    monkeypatch.setattr(backend_module, "detect_capabilities", lambda api: Capabilities(data_plane=True, nodes=1))
    monkeypatch.setattr(backend_module, "tunnel_running", lambda profile, active: True)
    monkeypatch.setattr(addons, "get", lambda api, path: {"kind": "Deployment", "status": {"readyReplicas": 1}})
    assert MinikubeBackend().capabilities(api=None).load_balancer is True


# -- choosing the backend ----------------------------------------------------------------------------
def test_default_backend_is_minikube_when_installed(standin, monkeypatch):
    assert clusters.default_backend_name() == "minikube"
    monkeypatch.setenv("KUBELAB_BACKEND", "kubeconfig")
    assert clusters.default_backend_name() == "kubeconfig"


def test_default_backend_falls_back_to_embedded_and_says_so(standin, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    said: list[str] = []
    assert clusters.default_backend_name(progress=said.append) == "embedded"
    assert "minikube is not installed" in said[0]


def test_active_backend_is_the_running_kubelab_profile(standin):
    assert isinstance(clusters.active_backend(), clusters.KubeconfigBackend)
    standin.profile()
    assert isinstance(clusters.active_backend(), MinikubeBackend)
    standin.profile(running=False)
    assert isinstance(clusters.active_backend(), clusters.KubeconfigBackend)
    assert "minikube" in clusters.BACKENDS
