"""Start, watch and stop the embedded cluster's processes, each identified by pid and start time.

A pid alone could be reused by an unrelated process after a crash, so every
record also keeps the process's creation time; ``stop`` only signals a process
whose pid and creation time both match what was started.
"""

from __future__ import annotations

import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from ..errors import ClusterStartFailed
from ..i18n import _


@dataclass(frozen=True)
class Running:
    """A process kubelab started."""

    name: str
    pid: int
    created: float
    log: str

    def as_dict(self) -> dict:
        return asdict(self)

    def process(self) -> psutil.Process | None:
        """The live process, or None if it is gone or the pid now belongs to another process."""
        try:
            proc = psutil.Process(self.pid)
            if abs(proc.create_time() - self.created) < 0.5 and proc.status() != psutil.STATUS_ZOMBIE:
                return proc
        except psutil.Error:
            pass
        return None

    def alive(self) -> bool:
        return self.process() is not None


def free_ports(count: int) -> list[int]:
    """``count`` distinct loopback ports that are free right now."""
    with ExitStack() as stack:
        ports = []
        for _unused in range(count):
            sock = stack.enter_context(socket.socket())
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        return ports


def launch(name: str, argv: list[str], log_dir: Path) -> Running:
    """Start ``argv`` in its own session (it outlives the CLI), logging to ``<log_dir>/<name>.log``."""
    log = log_dir / f"{name}.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, close_fds=True)
    return Running(name=name, pid=proc.pid, created=psutil.Process(proc.pid).create_time(), log=str(log))


def stop(processes: list[Running], grace: float = 10.0) -> None:
    """SIGTERM every live process of ``processes`` at once and wait for all (SIGKILL after ``grace``)."""
    procs = [proc for proc in (r.process() for r in processes) if proc is not None]
    for proc in procs:
        try:
            proc.send_signal(signal.SIGTERM)
        except psutil.Error:
            pass
    for straggler in _wait_exited(procs, grace):
        try:
            straggler.kill()
        except psutil.Error:
            pass
    _wait_exited(procs, 5)


def _wait_exited(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait until each process has exited; those left after ``timeout``. An exited process that is not our child
    stays a zombie until whoever adopted it reaps it, which may be late: it has released everything already."""
    deadline = time.monotonic() + timeout
    while True:
        left = [proc for proc in procs if _running(proc)]
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.05)


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


STORAGE = ("kube-apiserver", "etcd")


def stop_all(processes: list[Running]) -> None:
    """Stop a cluster: its clients together, then the API server, then etcd.

    The API server shuts down in about a second while etcd still answers, but
    hangs until killed when etcd is stopped under it.
    """
    stop([r for r in processes if r.name not in STORAGE])
    for name in STORAGE:
        stop([r for r in processes if r.name == name])


def port_free(port: int) -> bool:
    """Nothing listens on loopback ``port``: it can be bound now, as the components bind (SO_REUSEADDR, so
    connections of a stopped server left in TIME_WAIT do not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def log_tail(running: Running, lines: int = 15) -> str:
    try:
        return "\n".join(Path(running.log).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class PortInUse(ClusterStartFailed):
    """A component could not bind its port; start again with other ports."""


def wait_until(running: Running, ready: Callable[[], bool], timeout: float) -> None:
    """Poll ``ready`` until true; fail early, with the log's tail, if the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if not running.alive():
            tail = log_tail(running)
            error = PortInUse if "address already in use" in tail else ClusterStartFailed
            raise error(_("{name} exited during start-up; its log ({log}) ends with:\n{tail}",
                          name=running.name, log=running.log, tail=tail))
        time.sleep(0.1)
    raise ClusterStartFailed(_("{name} was not ready after {seconds} s; see {log}",
                               name=running.name, seconds=int(timeout), log=running.log))


def http_ok(url: str, context: ssl.SSLContext | None = None, expect: bytes = b"ok") -> Callable[[], bool]:
    """A readiness test: GET ``url`` answers 200 with ``expect`` in the body."""

    def ready() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2, context=context) as response:
                return response.status == 200 and expect in response.read()
        except (urllib.error.URLError, OSError):
            return False

    return ready


def client_tls(ca: Path | None = None, cert: Path | None = None, key: Path | None = None) -> ssl.SSLContext:
    """TLS for loopback health checks: verify against ``ca`` if given, else trust the loopback peer."""
    if ca:
        context = ssl.create_default_context(cafile=str(ca))
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if cert and key:
        context.load_cert_chain(str(cert), str(key))
    return context
