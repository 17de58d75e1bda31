"""A thin wrapper over the user's ``minikube`` command: run it, time it out, parse its JSON.

kubelab never reimplements minikube. Every call has a timeout, and every
failure becomes a translated ``MinikubeError``. Where minikube prints JSON we
parse it; the shapes are those of kubernetes/minikube (see the fixtures in
tests/fixtures/minikube/ for the source files they come from).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field

from ..errors import (MinikubeError, MinikubeFailed, MinikubeMalformed, MinikubeMissing,  # noqa: F401
                      MinikubeTimeout, MinikubeTooOld)
from ..i18n import _

PROFILE = "kubelab"
MINIMUM_VERSION = (1, 24, 0)  # `addons configure metallb` always prompts from 1.24 (minikube PR #12437)
PROFILE_NOT_FOUND = 85  # minikube's exit code for a missing profile (reason.ExGuestNotFound)


@dataclass(frozen=True)
class NodeStatus:
    """One entry of ``minikube status -o json`` (pkg/minikube/cluster/status.go, ``Status``)."""

    name: str
    host: str
    kubelet: str
    apiserver: str
    worker: bool

    @property
    def running(self) -> bool:
        return self.host == self.kubelet == "Running" and self.apiserver in ("Running", "Irrelevant")


@dataclass(frozen=True)
class Profile:
    """The parts of one ``minikube profile list -o json`` entry that kubelab uses."""

    name: str
    driver: str = ""
    nodes: list[dict] = field(default_factory=list)
    memory_mb: int = 0
    cpus: int = 0
    addons: dict[str, bool] = field(default_factory=dict)
    load_balancer_range: tuple[str, str] = ("", "")
    active: bool | None = None  # absent before minikube added the field

    @classmethod
    def from_json(cls, entry: dict) -> Profile:
        config = entry.get("Config") or {}
        kubernetes = config.get("KubernetesConfig") or {}
        return cls(
            name=entry["Name"],
            driver=config.get("Driver") or "",
            nodes=config.get("Nodes") or [],
            memory_mb=int(config.get("Memory") or 0),
            cpus=int(config.get("CPUs") or 0),
            addons=dict(config.get("Addons") or {}),
            load_balancer_range=(kubernetes.get("LoadBalancerStartIP") or "", kubernetes.get("LoadBalancerEndIP") or ""),
            active=entry.get("Active"),
        )

    @property
    def primary_ip(self) -> str:
        return (self.nodes[0].get("IP") or "") if self.nodes else ""


def parse_version(text: str) -> tuple[int, int, int]:
    """``v1.38.1`` or ``v1.39.0-beta.0`` → (1, 38, 1); MinikubeMalformed otherwise."""
    found = re.match(r"v?(\d+)\.(\d+)\.(\d+)", text or "")
    if not found:
        raise MinikubeMalformed(_("minikube reported a version kubelab cannot read: {version}", version=text))
    return tuple(int(part) for part in found.groups())  # type: ignore[return-value]


class Minikube:
    """The minikube CLI for one profile. ``timeout`` bounds quick commands, ``long_timeout`` start and addons."""

    def __init__(self, profile: str = PROFILE, timeout: float = 30.0, long_timeout: float = 900.0):
        self.profile = profile
        self.timeout = timeout
        self.long_timeout = long_timeout

    # -- running ---------------------------------------------------------------------------
    @staticmethod
    def path() -> str | None:
        return shutil.which("minikube")

    def _argv(self, args: tuple[str, ...]) -> list[str]:
        executable = self.path()
        if not executable:
            raise MinikubeMissing(_("minikube is not installed (no `minikube` on PATH)."))
        return [executable, *args, "-p", self.profile]

    def run(self, *args: str, timeout: float | None = None, accept: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        """Run ``minikube ARGS -p PROFILE``; raise unless its exit code is in ``accept``."""
        command = " ".join(args)
        timeout = timeout or self.timeout
        try:
            done = subprocess.run(self._argv(args), capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise MinikubeTimeout(_("`minikube {command}` did not finish within {seconds} s.",
                                    command=command, seconds=round(timeout))) from None
        except OSError as exc:
            raise MinikubeMissing(_("minikube could not be run: {error}", error=exc)) from exc
        if done.returncode not in accept:
            raise MinikubeFailed(_("`minikube {command}` failed (exit code {code}): {detail}", command=command,
                                   code=done.returncode, detail=_last_line(done.stderr or done.stdout)))
        return done

    def run_json(self, *args: str, accept: tuple[int, ...] = (0,)):
        done = self.run(*args, "-o", "json", accept=accept)
        try:
            return json.loads(done.stdout)
        except ValueError:
            raise MinikubeMalformed(_("`minikube {command}` printed something that is not JSON.",
                                      command=" ".join(args))) from None

    # -- reading ---------------------------------------------------------------------------
    def version(self) -> tuple[int, int, int]:
        data = self.run_json("version")
        if not isinstance(data, dict):
            raise MinikubeMalformed(_("`minikube {command}` printed something that is not JSON.", command="version"))
        return parse_version(data.get("minikubeVersion", ""))

    def status(self) -> list[NodeStatus]:
        """Each node's status; [] when the profile does not exist.

        The exit code is a bitmask of what is down (1 host, 2 cluster, 4 kubeconfig),
        so 0–7 all carry JSON: one object for one node, a list for several.
        """
        done = self.run("status", "-o", "json", accept=(*range(8), PROFILE_NOT_FOUND))
        if done.returncode == PROFILE_NOT_FOUND:
            return []
        try:
            data = json.loads(done.stdout)
            entries = data if isinstance(data, list) else [data] if data else []
            return [NodeStatus(e["Name"], e["Host"], e["Kubelet"], e["APIServer"], bool(e.get("Worker")))
                    for e in entries]
        except (ValueError, KeyError, TypeError):
            raise MinikubeMalformed(_("`minikube {command}` printed something that is not JSON.",
                                      command="status")) from None

    def profile_config(self) -> Profile | None:
        """This profile's entry of ``minikube profile list -o json``; None when it does not exist."""
        data = self.run_json("profile", "list")
        try:
            entries = data.get("valid") or []
            return next((Profile.from_json(e) for e in entries if e.get("Name") == self.profile), None)
        except (AttributeError, KeyError, TypeError, ValueError):
            raise MinikubeMalformed(_("`minikube {command}` printed something that is not JSON.",
                                      command="profile list")) from None

    def addons(self) -> dict[str, bool]:
        """Addon name → enabled, from the profile's config (``{}`` entries when it does not exist)."""
        data = self.run_json("addons", "list")
        if not isinstance(data, dict):
            raise MinikubeMalformed(_("`minikube {command}` printed something that is not JSON.",
                                      command="addons list"))
        return {name: isinstance(v, dict) and v.get("Status") == "enabled" for name, v in data.items()}

    def ip(self) -> str:
        text = self.run("ip").stdout.strip()
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            raise MinikubeMalformed(_("`minikube ip` printed something that is not an IP address: {text}",
                                      text=text[:80])) from None

    def docker_env(self) -> dict[str, str]:
        """The variables ``eval $(minikube docker-env)`` would set (minikube refuses multi-node profiles)."""
        data = self.run_json("docker-env", "--shell", "none")
        if not isinstance(data, dict):
            raise MinikubeMalformed(_("`minikube {command}` printed something that is not JSON.",
                                      command="docker-env"))
        return data

    def service_urls(self, service: str, namespace: str) -> list[str]:
        """``minikube service --url``. With the docker driver on macOS/Windows it blocks to keep a tunnel open,
        so it times out: run it in a terminal instead."""
        done = self.run("service", service, "-n", namespace, "--url")
        return [line.strip() for line in done.stdout.splitlines() if line.strip().startswith("http")]

    # -- changing --------------------------------------------------------------------------
    def start(self, nodes: int | None = None, container_runtime: str | None = None) -> None:
        args = ["start"] + ([f"--nodes={nodes}"] if nodes else [])
        args += [f"--container-runtime={container_runtime}"] if container_runtime else []
        self.run(*args, timeout=self.long_timeout)

    def stop(self) -> None:
        self.run("stop", timeout=self.long_timeout)

    def add_node(self) -> None:
        self.run("node", "add", timeout=self.long_timeout)

    def enable_addon(self, name: str) -> None:
        self.run("addons", "enable", name, timeout=self.long_timeout)

    def select_profile(self) -> None:
        """``minikube profile NAME``: later bare ``minikube`` commands and kubectl's context go to it."""
        self.run("profile", self.profile)

    def image_load(self, image: str) -> None:
        self.run("image", "load", image, timeout=self.long_timeout)

    def image_build(self, context: str, tag: str, all_nodes: bool = True) -> None:
        """Build on every node by default: without ``--all`` minikube builds on the first node only."""
        self.run("image", "build", "-t", tag, context, *(["--all"] if all_nodes else []), timeout=self.long_timeout)

    def tunnel(self) -> subprocess.Popen:
        """Start ``minikube tunnel`` in the background; the caller stops it (it lives only while it runs)."""
        return subprocess.Popen(self._argv(("tunnel",)), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    def configure_metallb(self, start: str, end: str) -> None:
        """``minikube addons configure metallb``, answering its two prompts one at a time.

        minikube reads each prompt through a new bufio.Reader on stdin
        (cmd/minikube/cmd/config/prompt.go): answers sent together are swallowed
        by the first reader and the second prompt dies with EOF. So the end IP
        is written only once the second prompt has been printed.
        """
        proc = subprocess.Popen(self._argv(("addons", "configure", "metallb")), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        expired = threading.Event()
        timer = threading.Timer(self.long_timeout, lambda: (expired.set(), proc.kill()))
        timer.start()
        try:
            _answer(proc, start)
            _read_until(proc, b"End IP")
            _answer(proc, end)
            out, err = proc.communicate()
        finally:
            timer.cancel()
        if expired.is_set():
            raise MinikubeTimeout(_("`minikube {command}` did not finish within {seconds} s.",
                                    command="addons configure metallb", seconds=round(self.long_timeout)))
        if proc.returncode != 0:
            raise MinikubeFailed(_("`minikube {command}` failed (exit code {code}): {detail}",
                                   command="addons configure metallb", code=proc.returncode,
                                   detail=_last_line((err or out).decode(errors="replace"))))


def _answer(proc: subprocess.Popen, line: str) -> None:
    try:
        proc.stdin.write(f"{line}\n".encode())
        proc.stdin.flush()
    except (BrokenPipeError, ValueError):
        pass  # minikube already exited; its exit code tells why


def _read_until(proc: subprocess.Popen, marker: bytes) -> None:
    seen = b""
    while marker not in seen:
        chunk = os.read(proc.stdout.fileno(), 1024)
        if not chunk:
            return
        seen += chunk


def _last_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:300] if lines else _("no message")
