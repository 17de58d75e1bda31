"""The embedded cluster's bad paths: no binaries, downloads, port clashes, stale state, `down`, kubeconfig.

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

from checkers.cli import main
from clusters.api import get
from clusters.base import Connection
from clusters.embedded import EmbeddedBackend, backend as backend_module, download
from clusters.embedded.components import ETCD, KUBERNETES, KWOK
from clusters.errors import ChecksumMismatch
from tests.helpers import wait_for

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
def test_stale_state_is_reported_and_cleaned_on_start(tmp_path, isolated, capsys):
    backend = EmbeddedBackend(home=isolated, merge_kubeconfig=False)
    try:
        backend.start()
        state = json.loads(backend.state_file.read_text())
        first = recorded(backend)
        for pid in first.values():
            psutil.Process(pid).send_signal(signal.SIGKILL)
        psutil.wait_procs([psutil.Process(p) for p in pids_alive(first.values())], timeout=10)
        assert pids_alive(first.values()) == []

        status = backend.status()
        assert not status.running and status.details["stale"] is True
        capsys.readouterr()
        assert main(["status", "--backend", "embedded", "--json"]) == 1
        reported = json.loads(capsys.readouterr().out)
        assert reported["running"] is False and reported["details"]["stale"] is True

        messages = []
        status = backend.start(progress=messages.append)
        assert status.running
        assert any("did not shut down cleanly" in m for m in messages), messages
        second = recorded(backend)
        assert set(second) == set(first) and not set(second.values()) & set(first.values())
        assert not Path(state["etcd_data"]).exists(), "the dead cluster's etcd data was not removed"
        api = backend.connection().api_client()
        try:
            wait_for(lambda: len(get(api, "/api/v1/nodes")["items"]) == 4, timeout=10, what="4 nodes")
        finally:
            api.close()
        pids = list(second.values())
    finally:
        backend.stop()
    assert pids_alive(pids) == [], "stop left cluster processes running"


@pytest.mark.cluster
def test_up_merges_context_and_down_stops_exactly_its_processes(tmp_path, isolated, capsys):
    kubeconfig = tmp_path / "kubeconfig"
    other = {
        "apiVersion": "v1", "kind": "Config", "current-context": "other",
        "clusters": [{"name": "other", "cluster": {"server": "https://192.0.2.99:6443"}}],
        "users": [{"name": "other", "user": {"token": "secret"}}],
        "contexts": [{"name": "other", "context": {"cluster": "other", "user": "other", "namespace": "ns"}}],
    }
    kubeconfig.write_text(yaml.safe_dump(other))
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    backend = EmbeddedBackend(home=isolated, merge_kubeconfig=True)
    try:
        backend.start()
        merged = yaml.safe_load(kubeconfig.read_text())
        assert merged["current-context"] == "kubelab"
        assert {c["name"] for c in merged["contexts"]} == {"other", "kubelab"}
        for key in ("clusters", "users", "contexts"):
            assert [e for e in merged[key] if e["name"] == "other"] == other[key], key
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
        assert not backend.state_file.exists()
        assert not backend.status().running
        after = yaml.safe_load(kubeconfig.read_text())
        for key in ("clusters", "users", "contexts"):
            assert after[key] == other[key], key
        assert after.get("current-context") in (None, "", "other")
    finally:
        backend.stop()
        bystander.kill()
        bystander.wait()


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
        assert not (isolated / "state.json").exists()
    finally:
        for proc in (ours, stranger):
            proc.kill()
            proc.wait()
