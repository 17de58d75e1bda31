"""The embedded cluster's life: no binaries, downloads, port clashes, crashes repaired with their data, `down`
(keeps the cluster) and `down --purge` (deletes it), kubeconfig targets, two clusters side by side, `reset`.

Tests that start a cluster use their own short-lived ``EmbeddedBackend`` in a
tmp folder (about 4 s each from the warm cache), never the user's state,
cache or kubeconfig.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import psutil
import pytest
import yaml

from checkers import actions, runner
from checkers.actions import Kubectl
from checkers.cli import main
from checkers.lab import find_lab
from checkers.notebook_api import open_lab
from clusters import base, doctor, tools
from clusters.api import get, request
from clusters.base import Connection
from clusters.embedded import EmbeddedBackend, backend as backend_module, download
from clusters.embedded.components import ETCD, KUBERNETES, KWOK
from clusters.errors import ChecksumMismatch
from tests.helpers import token_client, wait_for

REPO = Path(__file__).resolve().parents[1]
KUBELAB = REPO / ".venv" / "bin" / "kubelab"


@pytest.fixture
def isolated(tmp_path, monkeypatch) -> Path:
    """KUBELAB_STATE and KUBECONFIG in tmp_path; returns the embedded state folder the CLI uses."""
    monkeypatch.setenv("KUBELAB_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kubeconfig"))
    monkeypatch.delenv("KUBELAB_BACKEND", raising=False)
    return tmp_path / "state" / "embedded"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again on exit: nothing listens there


def pids_alive(pids) -> list[int]:
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def recorded(backend: EmbeddedBackend) -> dict[str, int]:
    return {p["name"]: p["pid"] for p in json.loads(backend.state_file.read_text())["processes"]}


# -- no binaries --------------------------------------------------------------------------------
def test_up_without_binaries_fails_with_one_clear_message(tmp_path):
    empty_bin = tmp_path / "bin"  # PATH with neither go nor any Kubernetes binary
    empty_bin.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KUBELAB_")},
        "PATH": str(empty_bin),
        "KUBELAB_CACHE": str(tmp_path / "cache"),
        "KUBELAB_STATE": str(tmp_path / "state"),
        "KUBECONFIG": str(tmp_path / "kubeconfig"),
        "KUBELAB_DOWNLOAD_MIRROR": f"http://127.0.0.1:{closed_port()}",
        "HOME": str(tmp_path),
        "COLUMNS": "200",
    }
    proc = subprocess.run([str(KUBELAB), "up"], env=env, capture_output=True, text=True, timeout=120)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Traceback" not in output
    errors = [line for line in proc.stderr.splitlines() if line.startswith("✗")]
    assert len(errors) == 1, output
    assert "kubernetes v1.36.4" in errors[0] and "could not be obtained" in errors[0]
    assert "Go is not installed" in output and "Could not download" in output
    assert not (tmp_path / "kubeconfig").exists(), "a failed start must not touch the kubeconfig"
    assert not list((tmp_path / "state").glob("**/state.json")), "a failed start must leave no state"
    assert not (tmp_path / "cache" / f"kubernetes-{KUBERNETES.version}" / "bin").exists()


# -- download -----------------------------------------------------------------------------------
def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tarball(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class Mirror:
    """Fake release files laid out like dl.k8s.io, GitHub releases and raw.githubusercontent.com."""

    def __init__(self, root: Path, os_name: str, arch: str):
        self.root, self.os_name, self.arch = root, os_name, arch
        self.requests: list[str] = []

    def put(self, path: str, data: bytes) -> None:
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def publish(self, monkeypatch) -> dict[str, bytes]:
        """Every component's files with correct checksums; returns what each installed file must hold."""
        expected: dict[str, bytes] = {}
        o, a = self.os_name, self.arch
        for binary in KUBERNETES.binaries:
            data = f"fake {binary} {KUBERNETES.version}\n".encode()
            self.put(f"/release/{KUBERNETES.version}/bin/{o}/{a}/{binary}", data)
            self.put(f"/release/{KUBERNETES.version}/bin/{o}/{a}/{binary}.sha256", sha256(data).encode())
            expected[f"kubernetes/bin/{binary}"] = data
        etcd = b"fake etcd\n"
        name = f"etcd-{ETCD.version}-{o}-{a}"
        archive = tarball({f"{name}/etcd": etcd, f"{name}/etcdctl": b"fake etcdctl\n", f"{name}/README.md": b"x"})
        release = f"/etcd-io/etcd/releases/download/{ETCD.version}"
        self.put(f"{release}/{name}.tar.gz", archive)
        self.put(f"{release}/SHA256SUMS", f"{sha256(b'other')}  {name}.zip\n{sha256(archive)}  {name}.tar.gz\n"
                 .encode())
        expected["etcd/bin/etcd"] = etcd
        kwok = b"fake kwok\n"
        release = f"/kubernetes-sigs/kwok/releases/download/{KWOK.version}"
        self.put(f"{release}/kwok-{o}-{a}", kwok)
        self.put(f"{release}/checksums.txt", f"{sha256(b'kwokctl')}  kwokctl-{o}-{a}\n{sha256(kwok)}  kwok-{o}-{a}\n"
                 .encode())
        expected["kwok/bin/kwok"] = kwok
        for stage in KWOK.stages:  # stage checksums are pinned in the code: pin the fakes' instead
            data = f"# fake stage {stage}\n".encode()
            self.put(f"/kubernetes-sigs/kwok/{KWOK.version}/kustomize/stage/{stage}", data)
            monkeypatch.setitem(download.KWOK_STAGE_SHA256, stage, sha256(data))
            expected[f"kwok/stages/{stage}"] = data
        return expected

    def serve(self):
        mirror = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                mirror.requests.append(self.path)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=self.root))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    where = download.release_platform()
    if where is None:
        pytest.skip("no release binaries for this platform")
    monkeypatch.setenv("KUBELAB_CACHE", str(tmp_path / "cache"))
    fake = Mirror(tmp_path / "mirror", *where)
    server = fake.serve()
    monkeypatch.setenv("KUBELAB_DOWNLOAD_MIRROR", f"http://127.0.0.1:{server.server_address[1]}/")
    yield fake
    server.shutdown()
    server.server_close()


def test_download_installs_verified_files_into_the_cache(mirror, monkeypatch, tmp_path):
    expected = mirror.publish(monkeypatch)
    for component in (KUBERNETES, ETCD, KWOK):
        assert not component.cached()
        download.fetch(component, progress=lambda _message: None)
        assert component.cached(), f"{component.name} is not complete in {component.home()}"
    for relative, data in expected.items():
        name, rest = relative.split("/", 1)
        component = {"kubernetes": KUBERNETES, "etcd": ETCD, "kwok": KWOK}[name]
        installed = component.home() / rest
        assert installed.read_bytes() == data, relative
        if rest.startswith("bin/"):
            assert os.access(installed, os.X_OK), f"{relative} is not executable"
    assert (tmp_path / "cache" / f"kubernetes-{KUBERNETES.version}").parent == tmp_path / "cache"
    assert not list((tmp_path / "cache").glob(".*-download-*")), "temporary download folders were left behind"
    assert any(p.endswith(".sha256") for p in mirror.requests)  # checksums were really fetched
    assert any(p.endswith("/SHA256SUMS") for p in mirror.requests)
    assert any(p.endswith("/checksums.txt") for p in mirror.requests)


@pytest.mark.parametrize("component", [KUBERNETES, ETCD], ids=["sidecar", "sums-file"])
def test_download_with_a_wrong_checksum_caches_nothing(mirror, monkeypatch, tmp_path, component):
    mirror.publish(monkeypatch)
    o, a = mirror.os_name, mirror.arch
    if component is KUBERNETES:  # the last binary is wrong: the good ones before it must not be cached either
        mirror.put(f"/release/{KUBERNETES.version}/bin/{o}/{a}/kubectl.sha256", sha256(b"something else").encode())
    else:
        mirror.put(f"/etcd-io/etcd/releases/download/{ETCD.version}/SHA256SUMS",
                   f"{sha256(b'tampered')}  etcd-{ETCD.version}-{o}-{a}.tar.gz\n".encode())
    with pytest.raises(ChecksumMismatch, match="SHA-256"):
        download.fetch(component, progress=lambda _message: None)
    assert not (component.home() / "bin").exists(), list(component.home().rglob("*"))
    assert not component.cached()
    assert not list((tmp_path / "cache").glob(".*-download-*"))


# -- starting and stopping real clusters --------------------------------------------------------
@pytest.mark.cluster
def test_start_survives_a_port_clash(tmp_path, monkeypatch):
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    taken = blocker.getsockname()[1]
    real = backend_module.free_ports
    calls = []

    def clashing(count):
        ports = real(count)
        calls.append(ports)
        if len(calls) == 1:
            ports[2] = taken  # names: etcd, etcd_peer, apiserver, ...
            assert len(set(ports)) == count
        return ports

    monkeypatch.setattr(backend_module, "free_ports", clashing)
    backend = EmbeddedBackend(home=tmp_path / "embedded", merge_kubeconfig=False)
    messages = []
    try:
        status = backend.start(progress=messages.append)
        assert status.running
        assert len(calls) == 2, "the first ports should have failed exactly once"
        port = json.loads(backend.state_file.read_text())["ports"]["apiserver"]
        assert port != taken and status.server == f"https://127.0.0.1:{port}"
        assert any("port was taken" in m for m in messages), messages
        api = backend.connection().api_client()
        try:
            assert len(get(api, "/api/v1/nodes")["items"]) == 4
        finally:
            api.close()
    finally:
        backend.stop()
        blocker.close()


@pytest.mark.cluster
def test_a_killed_api_server_is_reported_down_and_up_repairs_it_with_its_data(tmp_path, isolated, monkeypatch,
                                                                               capsys):
    monkeypatch.setenv("KUBECONFIG", str(write_other_kubeconfig(tmp_path / "kubeconfig")))  # a fallback would use it
    backend = EmbeddedBackend(home=isolated)
    try:
        backend.start()
        issued = tmp_path / "issued.kubeconfig"
        issued.write_text(backend.kubeconfig_target().read_text())  # a kubeconfig handed out before the crash
        api = backend.connection().api_client()
        try:
            keep(api, "kept")
        finally:
            api.close()
        state = json.loads(backend.state_file.read_text())
        first = recorded(backend)
        ca = (isolated / "pki" / "ca.crt").read_bytes()
        apiserver = psutil.Process(first["kube-apiserver"])
        apiserver.send_signal(signal.SIGKILL)  # half-crashed: the other components keep running
        psutil.wait_procs([apiserver], timeout=10)

        status = backend.status()
        assert not status.running and status.details["stale"] is True
        capsys.readouterr()
        assert main(["status"]) == 1  # no --backend: the managed cluster, never the kubeconfig's `other`
        out = capsys.readouterr().out
        assert "embedded" in out and "is down" in out and str(isolated) in out.replace("\n", ""), out
        assert main(["status", "--json"]) == 1
        reported = json.loads(capsys.readouterr().out)
        assert reported["backend"] == "embedded" and reported["running"] is False
        assert reported["details"]["stale"] is True

        messages = []
        status = backend.start(progress=messages.append)
        assert status.running
        assert any("did not shut down cleanly" in m and "kept" in m for m in messages), messages
        second = recorded(backend)
        assert set(second) == set(first) and not set(second.values()) & set(first.values())
        assert pids_alive(first.values()) == [], "the repair left the old components running"
        assert json.loads(backend.state_file.read_text())["ports"]["apiserver"] == state["ports"]["apiserver"]
        assert (isolated / "pki" / "ca.crt").read_bytes() == ca
        assert_kept(Connection(kubeconfig=issued, context="kubelab"), "kept")
        pids = list(second.values())
    finally:
        backend.purge()
    assert pids_alive(pids) == [], "purge left cluster processes running"


def write_other_kubeconfig(path: Path) -> Path:
    path.write_text(yaml.safe_dump(OTHER))
    return path


OTHER = {
    "apiVersion": "v1", "kind": "Config", "current-context": "other",
    "clusters": [{"name": "other", "cluster": {"server": "https://192.0.2.99:6443"}}],
    "users": [{"name": "other", "user": {"token": "secret"}}],
    "contexts": [{"name": "other", "context": {"cluster": "other", "user": "other", "namespace": "ns"}}],
}


def keep(api, namespace: str) -> None:
    """A namespace holding a ConfigMap, to find again after a restart."""
    request(api, "POST", "/api/v1/namespaces", body={"metadata": {"name": namespace}})
    request(api, "POST", f"/api/v1/namespaces/{namespace}/configmaps",
            body={"metadata": {"name": "notes"}, "data": {"kept": "yes"}})


def assert_kept(connection: Connection, namespace: str) -> None:
    api = connection.api_client()
    try:
        found = get(api, f"/api/v1/namespaces/{namespace}/configmaps/notes")
        assert found["data"] == {"kept": "yes"}
    finally:
        api.close()


@pytest.mark.cluster
def test_up_merges_context_and_down_stops_exactly_its_processes(tmp_path, isolated, monkeypatch, capsys):
    kubeconfig = write_other_kubeconfig(tmp_path / "kubeconfig")
    monkeypatch.setenv("KUBELAB_KUBECONFIG", str(kubeconfig))  # the explicit merge target
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    backend = EmbeddedBackend(home=isolated, merge_kubeconfig=True)
    try:
        backend.start()
        merged = yaml.safe_load(kubeconfig.read_text())
        assert merged["current-context"] == "kubelab"
        assert {c["name"] for c in merged["contexts"]} == {"other", "kubelab"}
        for key in ("clusters", "users", "contexts"):
            assert [e for e in merged[key] if e["name"] == "other"] == OTHER[key], key
        api = Connection(kubeconfig=kubeconfig, context="kubelab").api_client()  # the merged context works alone
        try:
            assert len(get(api, "/api/v1/nodes")["items"]) == 4
        finally:
            api.close()
        pids = list(recorded(backend).values())
        assert len(pids) == 5 and len(pids_alive(pids)) == 5

        capsys.readouterr()
        assert main(["down"]) == 0  # no --backend: the running embedded cluster is the active one
        assert "stopped" in capsys.readouterr().err
        assert pids_alive(pids) == [], "down left cluster processes running"
        assert bystander.poll() is None, "down killed a process it did not start"
        assert backend.state_file.exists() and not backend.status().running, "down keeps the cluster's state"
        assert yaml.safe_load(kubeconfig.read_text()) == merged, "down keeps the context, as `minikube stop` does"

        assert main(["down", "--purge"]) == 0
        assert "deleted" in capsys.readouterr().err
        assert not isolated.exists()
        after = yaml.safe_load(kubeconfig.read_text())
        for key in ("clusters", "users", "contexts"):
            assert after[key] == OTHER[key], key
        assert after.get("current-context") in (None, "", "other")
        assert main(["down", "--purge", "--backend", "embedded"]) == 0
        assert "Nothing to delete" in capsys.readouterr().out
    finally:
        backend.purge()
        bystander.kill()
        bystander.wait()


@pytest.mark.cluster
def test_up_down_up_brings_the_same_cluster_back(tmp_path, isolated, monkeypatch, capsys):
    """Namespaces, the CA, the API server port, an issued kubeconfig and a ServiceAccount token all survive."""
    kubeconfig = tmp_path / "state" / "kubeconfig"  # with KUBELAB_STATE set, the cluster's kubeconfig is in it
    assert main(["up", "--backend", "embedded"]) == 0
    backend = EmbeddedBackend(home=isolated)
    try:
        assert backend.kubeconfig_target() == kubeconfig and "export KUBECONFIG=" in capsys.readouterr().err
        issued = tmp_path / "issued.kubeconfig"
        issued.write_text(kubeconfig.read_text())
        api = backend.connection().api_client()
        try:
            keep(api, "kept")
            token = request(api, "POST", "/api/v1/namespaces/kept/serviceaccounts/default/token",
                            body={"spec": {"expirationSeconds": 3600}})["status"]["token"]
        finally:
            api.close()
        subprocess.run([str(REPO / ".venv" / "bin" / "kubectl"), f"--kubeconfig={kubeconfig}", "config",
                        "set-context", "--current", "--namespace=kept"], check=True, capture_output=True)
        port = json.loads(backend.state_file.read_text())["ports"]["apiserver"]

        assert main(["down"]) == 0
        assert main(["status"]) == 1 and "is down" in capsys.readouterr().out
        assert main(["check", "00-welcome"]) == 2  # a stopped cluster: say so, never grade another one
        assert "kubelab up" in capsys.readouterr().err

        with socket.socket() as blocker:  # someone took the API server's port meanwhile
            blocker.bind(("127.0.0.1", port))
            blocker.listen()
            assert main(["up", "--backend", "embedded"]) == 2
            said = capsys.readouterr().err
            assert str(port) in said and "--purge" in said, said
            assert (isolated / "pki" / "ca.crt").is_file(), "a failed restart must keep the cluster"

        assert main(["up", "--backend", "embedded"]) == 0
        assert json.loads(backend.state_file.read_text())["ports"]["apiserver"] == port
        assert_kept(Connection(kubeconfig=issued, context="kubelab"), "kept")
        admin = backend.connection().api_client()
        reader = token_client(admin, token)  # a token signed before the restart is still valid
        try:
            review = request(reader, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                             body={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
            assert review["status"]["userInfo"]["username"] == "system:serviceaccount:kept:default"
        finally:
            reader.close()
            admin.close()
        merged = yaml.safe_load(kubeconfig.read_text())
        assert merged["contexts"][0]["context"].get("namespace") == "kept", "the learner's namespace was lost"

        monkeypatch.setenv("PATH", os.environ["PATH"])  # open_lab changes both for the notebook's `!kubectl` cells
        assert open_lab("02-pods") is not None
        assert os.environ["KUBECONFIG"] == str(kubeconfig), "the notebook must use the terminal's kubeconfig"
        assert shutil.which("kubectl") == str(tools.pinned_kubectl())
    finally:
        backend.purge()
    assert not isolated.exists()


@pytest.mark.cluster
def test_two_clusters_side_by_side_do_not_see_each_other(tmp_path, monkeypatch, capsys):
    """Two KUBELAB_STATE folders: their own kubeconfigs, their own progress; stopping one leaves the other."""
    monkeypatch.delenv("KUBELAB_BACKEND", raising=False)
    monkeypatch.delenv("KUBELAB_KUBECONFIG", raising=False)
    shared = write_other_kubeconfig(tmp_path / "shared-kubeconfig")
    monkeypatch.setenv("KUBECONFIG", str(shared))
    states = {name: tmp_path / name for name in ("a", "b")}
    backends = {name: EmbeddedBackend(home=state / "embedded") for name, state in states.items()}

    def use(name):
        monkeypatch.setenv("KUBELAB_STATE", str(states[name]))

    try:
        for name in states:
            use(name)
            assert main(["up", "--backend", "embedded"]) == 0
        servers = {name: yaml.safe_load((state / "kubeconfig").read_text())["clusters"][0]["cluster"]["server"]
                   for name, state in states.items()}
        assert servers["a"] != servers["b"]
        assert yaml.safe_load(shared.read_text()) == OTHER, "KUBELAB_STATE clusters never touch the shared kubeconfig"

        use("a")
        assert main(["start", "00-welcome"]) == 0
        main(["check", "00-welcome"])
        capsys.readouterr()
        assert main(["labs", "--json"]) == 0
        progress = {row["id"]: row["progress"] for row in json.loads(capsys.readouterr().out)}
        assert progress["00-welcome"] is not None and progress["02-pods"] is None
        use("b")
        assert main(["labs", "--json"]) == 0
        assert all(row["progress"] is None for row in json.loads(capsys.readouterr().out)), "b sees a's progress"
        assert json.loads(next((states["a"] / "embedded" / "results").glob("*/00-welcome.json")).read_text())

        use("a")
        assert main(["down"]) == 0
        assert not backends["a"].status().running and backends["b"].status().running
        use("b")
        assert main(["status"]) == 0
    finally:
        for backend in backends.values():
            backend.purge()


@pytest.mark.cluster
def test_reset_empties_the_namespace_and_starts_again(cluster, namespace):
    """reset removes what the learner made (objects, namespace labels) without deleting the namespace."""
    lab = find_lab("00-welcome")
    kubectl = Kubectl(cluster, namespace)
    kubectl("label", "namespace", namespace, f"{actions.LAB_LABEL}={lab.id}", "owner=me", namespaced=False)
    kubectl("create", "deployment", "web", "--image=nginx", "--replicas=2")
    kubectl("create", "configmap", "mine", "--from-literal=a=b")
    kubectl("run", "solo", "--image=nginx")
    actions.reset(lab, cluster, namespace)
    names = kubectl("get", "deployments,configmaps,pods", "-o", "name").split()
    assert not [n for n in names if n.endswith(("/web", "/mine", "/solo")) or "/web-" in n], names
    labels = json.loads(kubectl("get", "namespace", namespace, "-o", "jsonpath={.metadata.labels}",
                                namespaced=False))
    assert "owner" not in labels and labels[actions.LAB_LABEL] == lab.id
    assert kubectl("get", "serviceaccount", "default", "-o", "name")


# -- down without a cluster ---------------------------------------------------------------------
@pytest.mark.parametrize("argv", [["down", "--backend", "embedded"], ["down"]], ids=["embedded", "active"])
def test_down_with_nothing_running_exits_0_with_a_message(isolated, capsys, argv):
    assert main(argv) == 0
    out = capsys.readouterr()
    assert "Nothing to stop" in out.out, out
    assert "Traceback" not in out.out + out.err


def test_down_spares_a_process_whose_pid_was_reused(isolated, capsys):
    """A recorded pid whose creation time differs belongs to someone else now: never signal it."""
    ours = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        isolated.mkdir(parents=True)
        (isolated / "logs").mkdir()
        processes = [
            {"name": "etcd", "pid": stranger.pid, "created": psutil.Process(stranger.pid).create_time() - 3600,
             "log": str(isolated / "logs" / "etcd.log")},
            {"name": "kwok", "pid": ours.pid, "created": psutil.Process(ours.pid).create_time(),
             "log": str(isolated / "logs" / "kwok.log")},
        ]
        (isolated / "state.json").write_text(json.dumps({"version": "v1.36.4", "ports": {"apiserver": 1},
                                                          "processes": processes}))
        assert EmbeddedBackend(home=isolated).status().details["stale"] is True

        assert main(["down", "--backend", "embedded"]) == 0
        wait_for(lambda: ours.poll() is not None, timeout=15, what="the recorded process to stop")
        # stop() waits for every process it signals, so a wrong kill would already have landed
        assert stranger.poll() is None, "down killed a process whose pid was reused"
        assert json.loads((isolated / "state.json").read_text())["processes"] == []
    finally:
        for proc in (ours, stranger):
            proc.kill()
            proc.wait()


@pytest.mark.cluster
def test_lifecycle_benchmark_runs_in_quick_mode(tmp_path):
    """tests/benchmarks/lifecycle.py keeps working (its times are reported, never asserted)."""
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "tests.benchmarks.lifecycle", "--quick", "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = json.loads(out.read_text())["summary"]
    assert summary["down"]["runs"] == 1 and summary["reset 02-pods"]["median"] > 0
    assert set(summary["meets_targets"]) == {"down", "reset"}


# -- set-up: kubectl's version skew, progress per cluster and namespace -------------------------
def test_doctor_flags_a_kubectl_out_of_the_clusters_version_skew(tmp_path, monkeypatch):
    old = tmp_path / "bin" / "kubectl"
    old.parent.mkdir()
    old.write_text('#!/bin/sh\necho \'{"clientVersion": {"gitVersion": "v1.33.2"}}\'\n')
    old.chmod(0o755)
    monkeypatch.setenv("PATH", f"{old.parent}{os.pathsep}{os.environ['PATH']}")
    found = doctor._kubectl_finding("v1.36.4")
    assert found.id == "kubectl-skew" and found.severity == doctor.WARNING, found
    assert "v1.33.2" in found.seen and str(tools.pinned_kubectl().parent) in found.fix
    assert doctor._kubectl_finding("v1.34.0").id == "kubectl"  # one minor away is supported
    assert tools.out_of_skew("v1.37.1", "v1.36.4") is False and tools.out_of_skew("1.34+", "v1.36.4") is True


def test_progress_is_kept_per_cluster_and_namespace_and_survives_a_damaged_file(tmp_path, monkeypatch):
    monkeypatch.delenv("KUBELAB_STATE", raising=False)
    monkeypatch.setattr(base, "user_state_path", lambda name: tmp_path / name)
    document = {"lab": "02-pods", "namespace": "ns1", "cluster": "https://127.0.0.1:6443", "score": 3, "max": 5,
                "started": "2026-01-01T00:00:00+00:00"}
    runner.remember(document)
    assert runner.last_result(None, "https://127.0.0.1:6443", "ns1", "02-pods")["score"] == 3
    assert runner.last_result(None, "https://127.0.0.1:6443", "ns2", "02-pods") is None
    assert runner.last_result(None, "https://127.0.0.1:7443", "ns1", "02-pods") is None
    assert runner.last_result(None, None, "ns1", "02-pods") is None
    embedded = EmbeddedBackend(home=tmp_path / "embedded")
    runner.remember(document, embedded)
    path = runner.result_file(embedded, None, "ns1", "02-pods")
    assert path.parent.parent == tmp_path / "embedded" / "results" and json.loads(path.read_text())["max"] == 5
    path.write_text('{"score": 3, "ma')  # truncated
    assert runner.last_result(embedded, None, "ns1", "02-pods") is None


def test_make_lab_says_how_to_use_kubelab_and_gives_jupyterlab_the_pinned_kubectl():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    plan = subprocess.run(["make", "-n", "lab"], cwd=REPO, capture_output=True, text=True, timeout=60).stdout
    assert "in a new terminal" in plan and f"source {REPO / '.venv' / 'bin'}/activate" in plan, plan
    assert f'PATH="{REPO / ".venv" / "bin"}:$PATH"' in plan and "jupyter lab" in plan
    assert "terminado_settings" in plan  # a plain shell: a login shell would reset PATH


def test_a_control_plane_outage_longer_than_the_node_grace_period_changes_no_grade(isolated):
    """The API server stops answering for longer than the node grace period: once it is back, the node lifecycle
    controller finds every lease stale and marks the nodes and their pods NotReady; the nodes and pods must come
    back to their real state, and a lab's grade be what it was before."""
    backend = EmbeddedBackend(home=isolated, merge_kubeconfig=False)
    lab, namespace = find_lab("03-deployments"), "outage"
    nodes, pods = "/api/v1/nodes", f"/api/v1/namespaces/{namespace}/pods"

    def ready(path: str) -> list[dict]:
        """The Ready condition of every object at ``path``."""
        return [next((c for c in item["status"].get("conditions", []) if c["type"] == "Ready"), {})
                for item in get(api, path)["items"]]

    try:
        backend.start()
        connection = backend.connection()
        api = connection.api_client()
        request(api, "POST", "/api/v1/namespaces", body={"metadata": {"name": namespace}})
        actions.solve(lab, connection, namespace)
        capabilities = base.detect_capabilities(api)
        before = runner.run_lab(lab, api, namespace, capabilities).as_dict("en")
        pids = backend.status().details["pids"]
        apiserver, kwok = psutil.Process(pids["kube-apiserver"]), psutil.Process(pids["kwok"])
        for process in (apiserver, kwok):  # KWOK too, so that no heartbeat beats the node controller's verdict
            process.suspend()
        try:
            threading.Event().wait(backend_module.NODE_GRACE_SECONDS + 15)
        finally:
            apiserver.resume()
            try:
                wait_for(lambda: all(c.get("status") != "True" for c in ready(nodes) + ready(pods)), timeout=60,
                         what="the nodes and their pods marked NotReady")
            finally:
                kwok.resume()
        wait_for(lambda: all(c.get("status") == "True" for c in ready(nodes) + ready(pods)), timeout=180,
                 what="nodes and pods Ready again")
        after = runner.run_lab(lab, api, namespace, capabilities).as_dict("en")
        assert [(c["id"], c["status"]) for c in after["checks"]] == [(c["id"], c["status"]) for c in before["checks"]]
        assert after["score"] == before["score"] == before["max"]
        api.close()
    finally:
        backend.stop()
