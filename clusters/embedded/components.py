"""The pinned upstream components of the embedded cluster and their cache folders.

Each component lives in ``<cache>/<name>-<version>/bin``; the cache root is
``$KUBELAB_CACHE`` or the user's cache dir, never the repository.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_path

K8S_VERSION = "v1.36.4"
ETCD_VERSION = "v3.6.16"
KWOK_VERSION = "v0.8.0"
COREDNS_VERSION = "v1.15.0"
TRAEFIK_VERSION = "v3.6.12"  # the Gateway API and Ingress controller (MIT); see docs/gateway-api.md
LOCAL_PATH_VERSION = "v0.0.30"
METRICS_SERVER_VERSION = "v0.9.1"  # sigs.k8s.io/metrics-server (Apache-2.0)
PAUSE_VERSION = "1"  # our own pause program (clusters/embedded/pause); bump when it changes

KWOK_STAGES = (
    "node/fast/node-initialize.yaml",
    "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
    "pod/fast/pod-ready.yaml",
    "pod/fast/pod-complete.yaml",
    "pod/fast/pod-delete.yaml",
)


@dataclass(frozen=True)
class Component:
    """One upstream project, pinned, and the binaries it provides."""

    name: str
    version: str
    binaries: tuple[str, ...]
    stages: tuple[str, ...] = ()  # KWOK stage files, kept in <home>/stages

    def home(self) -> Path:
        return cache_root() / f"{self.name}-{self.version}"

    def bin_dir(self) -> Path:
        return self.home() / "bin"

    def stage_paths(self) -> tuple[Path, ...]:
        return tuple(self.home() / "stages" / s for s in self.stages)

    def cached(self) -> bool:
        binaries = all(os.access(self.bin_dir() / b, os.X_OK) for b in self.binaries)
        return binaries and all(p.is_file() for p in self.stage_paths())


KUBERNETES = Component(
    "kubernetes", K8S_VERSION, ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl")
)
ETCD = Component("etcd", ETCD_VERSION, ("etcd",))
KWOK = Component("kwok", KWOK_VERSION, ("kwok",), KWOK_STAGES)
COMPONENTS = (KUBERNETES, ETCD, KWOK)

# The real node's own binaries (the container runtime itself comes from the system's packages).
KUBE_NODE = Component("kubernetes-node", K8S_VERSION, ("kubelet", "kube-proxy"))
COREDNS = Component("coredns", COREDNS_VERSION, ("coredns",))
PAUSE = Component("pause", PAUSE_VERSION, ("pause",))
# rancher/local-path-provisioner (Apache-2.0): the default StorageClass's dynamic provisioner
LOCAL_PATH = Component("local-path-provisioner", LOCAL_PATH_VERSION, ("local-path-provisioner",))
METRICS_SERVER = Component("metrics-server", METRICS_SERVER_VERSION, ("metrics-server",))
NODE_COMPONENTS = (KUBE_NODE, COREDNS, PAUSE, LOCAL_PATH, METRICS_SERVER)
TRAEFIK = Component("traefik", TRAEFIK_VERSION, ("traefik",))  # a host process beside CoreDNS
HTTP_ECHO = Component("http-echo", "v1.0.0", ("http-echo",))  # hashicorp/http-echo (MPL-2.0), for its image


def cache_root() -> Path:
    """``$KUBELAB_CACHE``, else the user's cache dir (``~/.cache/kubelab`` on Linux)."""
    return Path(os.environ.get("KUBELAB_CACHE") or user_cache_path("kubelab"))
