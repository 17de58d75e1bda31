"""Download the official release binaries and verify their SHA-256.

Checksums come from the files each project publishes beside its release
(``<binary>.sha256`` for Kubernetes, ``SHA256SUMS`` for etcd, ``checksums.txt``
for KWOK); KWOK's stage files are pinned here. Everything is verified in a
temporary folder and moved into the cache only when all of it matches, so a
mismatch leaves nothing cached. ``KUBELAB_DOWNLOAD_MIRROR`` replaces every
host (an offline mirror, or the tests' local server).
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..base import Progress
from ..errors import BinariesUnavailable, ChecksumMismatch
from ..i18n import _
from .components import Component

DL_K8S = "https://dl.k8s.io"
GITHUB = "https://github.com"
RAW_GITHUB = "https://raw.githubusercontent.com"
TIMEOUT = 20

# sha256 of the v0.8.0 stage files, as published in the sigs.k8s.io/kwok module
KWOK_STAGE_SHA256 = {
    "node/fast/node-initialize.yaml": "bb38f752d90248528b579a0ae8f0f660ff3428457eb5c1ebe6345c3246cc7ee5",
    "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml": "9becfc93321222915bd1ec8ab103fe769afe4b23e1386bf40553deb02e332c9c",
    "pod/fast/pod-ready.yaml": "4d04a22c1b9dc6adcd4da90b32ce85687ba0058e15ca1eebcfa7cd64201d4148",
    "pod/fast/pod-complete.yaml": "86b800597419abbd7d8c43b0dfc4782643cfcfcfc8ac617f1e79e4e3a68533b2",
    "pod/fast/pod-delete.yaml": "a83bc287bfc7a4f1e3748e01761186128a4042e38b304195e984111ce5626cef",
}


@dataclass(frozen=True)
class Artifact:
    """One file to fetch: where, how to check it, and where it goes in the component's home."""

    base: str
    path: str
    target: str  # relative to the component's home
    sha256: str = ""  # pinned, or else read from checksum_path
    checksum_path: str = ""
    checksum_name: str = ""  # the file's name inside a sums file; empty for a sidecar
    member: str = ""  # extract this member of a .tar.gz

    def url(self, path: str | None = None) -> str:
        mirror = os.environ.get("KUBELAB_DOWNLOAD_MIRROR", "").rstrip("/")
        return (mirror or self.base) + (path or self.path)


def release_platform() -> tuple[str, str] | None:
    """(os, arch) as release URLs name them; None where no release binaries exist."""
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine)
    if platform.system() != "Linux" or arch is None:
        return None  # kube-apiserver is released for Linux only
    return "linux", arch


def artifacts(component: Component, os_name: str, arch: str) -> list[Artifact]:
    """The files that make up ``component`` on this platform."""
    v = component.version
    if component.name in ("kubernetes", "kubernetes-node"):
        return [
            Artifact(DL_K8S, f"/release/{v}/bin/{os_name}/{arch}/{b}", f"bin/{b}",
                     checksum_path=f"/release/{v}/bin/{os_name}/{arch}/{b}.sha256")
            for b in component.binaries
        ]
    if component.name == "etcd":
        tarball = f"etcd-{v}-{os_name}-{arch}.tar.gz"
        release = f"/etcd-io/etcd/releases/download/{v}"
        return [Artifact(GITHUB, f"{release}/{tarball}", "bin/etcd", checksum_path=f"{release}/SHA256SUMS",
                         checksum_name=tarball, member=f"etcd-{v}-{os_name}-{arch}/etcd")]
    if component.name != "kwok":
        return []  # CoreDNS and our pause program are built from Go modules only
    release = f"/kubernetes-sigs/kwok/releases/download/{v}"
    binary = f"kwok-{os_name}-{arch}"
    return [
        Artifact(GITHUB, f"{release}/{binary}", "bin/kwok", checksum_path=f"{release}/checksums.txt",
                 checksum_name=binary)
    ] + [
        Artifact(RAW_GITHUB, f"/kubernetes-sigs/kwok/{v}/kustomize/stage/{s}", f"stages/{s}",
                 sha256=KWOK_STAGE_SHA256[s])
        for s in component.stages
    ]


def fetch(component: Component, progress: Progress) -> None:
    """Download, verify and install ``component`` into its cache folder."""
    where = release_platform()
    if where is None:
        raise BinariesUnavailable(_("No release binaries are published for this platform."))
    if not artifacts(component, *where):
        raise BinariesUnavailable(_("{name} is not downloaded; it is built from Go modules.", name=component.name))
    home = component.home()
    home.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home.parent, prefix=f".{component.name}-download-") as tmp:
        staging = Path(tmp)
        for item in artifacts(component, *where):
            progress(_("Downloading {url}", url=item.url()))
            _fetch_one(item, staging)
        for child in staging.iterdir():
            destination = home / child.name
            if destination.exists():
                shutil.rmtree(destination)
            home.mkdir(exist_ok=True)
            os.replace(child, destination)


def _fetch_one(item: Artifact, staging: Path) -> None:
    raw = staging / ".raw"
    digest = _get(item.url(), raw)
    expected = item.sha256 or _published_sha256(item)
    if digest != expected:
        raise ChecksumMismatch(
            _("{url} does not match its published SHA-256 (expected {expected}, got {got}); nothing was cached.",
              url=item.url(), expected=expected or "?", got=digest)
        )
    target = staging / item.target
    target.parent.mkdir(parents=True, exist_ok=True)
    if item.member:
        with tarfile.open(raw) as archive, archive.extractfile(item.member) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
        raw.unlink()
    else:
        raw.rename(target)
    if item.target.startswith("bin/"):
        target.chmod(0o755)


def _published_sha256(item: Artifact) -> str:
    text = _read(item.url(item.checksum_path))
    if not item.checksum_name:
        return text.split()[0].lower() if text.split() else ""
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[1].lstrip("*") == item.checksum_name:
            return fields[0].lower()
    return ""


def _open(url: str):
    try:
        return urllib.request.urlopen(url, timeout=TIMEOUT)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise BinariesUnavailable(_("Could not download {url}: {reason}", url=url, reason=reason)) from exc


def _read(url: str) -> str:
    with _open(url) as response:
        return response.read(1 << 20).decode("utf-8", "replace")


def _get(url: str, destination: Path) -> str:
    digest = hashlib.sha256()
    with _open(url) as response, open(destination, "wb") as out:
        while chunk := response.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()
