"""What the minikube backend knows about its cluster beyond the CLI: addon health, tunnels, the host.

Addon health is read from the API (``addons list`` only reports the profile's
config, not whether the pods run); the tunnel from the process table.
"""

from __future__ import annotations

import ipaddress
import os
import platform
import socket

import psutil

from ..api import ApiError, ApiNotFound, Client, get
from ..base import condition

# addon → (namespace, API path of the object that must be ready); kubernetes/minikube deploy/addons/*
ADDON_OBJECTS = {
    "storage-provisioner": ("kube-system", "/api/v1/namespaces/kube-system/pods/storage-provisioner"),
    "default-storageclass": ("kube-system", "/apis/storage.k8s.io/v1/storageclasses/standard"),
    "metrics-server": ("kube-system", "/apis/apps/v1/namespaces/kube-system/deployments/metrics-server"),
    "metallb": ("metallb-system", "/apis/apps/v1/namespaces/metallb-system/deployments/controller"),
    "headlamp": ("headlamp", "/apis/apps/v1/namespaces/headlamp/deployments/headlamp"),
}
PORT_FORWARD_DRIVERS = ("docker", "podman")  # minikube's driver.NeedsPortForward, off Linux


def not_ready(api: Client, addon: str) -> str | None:
    """Why ``addon``'s main object is not ready, or None when it is."""
    return object_not_ready(api, ADDON_OBJECTS[addon][1])


def object_not_ready(api: Client, path: str) -> str | None:
    """Why the Deployment, Pod or other object at ``path`` is not ready, or None when it is."""
    try:
        obj = get(api, path)
    except ApiNotFound:
        return f"{path.rsplit('/', 1)[-1]} not found"
    except ApiError as exc:
        return str(exc)
    kind = obj.get("kind")
    if kind == "Deployment":
        wanted = (obj.get("spec") or {}).get("replicas", 1)
        ready = (obj.get("status") or {}).get("readyReplicas") or 0
        return None if ready >= max(wanted, 1) else f"{ready}/{wanted} replicas ready"
    if kind == "Pod":
        return None if condition(obj, "Ready") == "True" else f"pod {obj['metadata']['name']} not Ready"
    return None  # a StorageClass is ready once it exists


def tunnel_running(profile: str, active: bool | None) -> bool:
    """A ``minikube tunnel`` process serves ``profile`` (named with -p, or the active profile)."""
    for proc in psutil.process_iter(["cmdline"]):
        args = proc.info.get("cmdline") or []
        start = next((i for i, a in enumerate(args[:2]) if os.path.basename(a).startswith("minikube")), None)
        if start is None or "tunnel" not in args[start + 1:]:
            continue
        named = _flag_value(args[start + 1:], "-p", "--profile")
        if named == profile or (named is None and active is not False):
            return True
    return False


def _flag_value(args: list[str], *names: str) -> str | None:
    for i, arg in enumerate(args):
        for name in names:
            if arg == name and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def host_system() -> str:
    """``Darwin``, ``Windows``, ``WSL`` or ``Linux``."""
    system = platform.system()
    if system == "Linux" and "microsoft" in platform.uname().release.lower():
        return "WSL"
    return system


def needs_tunnel(driver: str) -> bool:
    """The node IP is unreachable from this computer (minikube's driver.NeedsPortForward)."""
    return driver in PORT_FORWARD_DRIVERS and host_system() != "Linux"


def reachable(ip: str, port: int, timeout: float = 2.0) -> bool:
    try:
        with socket.create_connection((ip, port), timeout=timeout):
            return True
    except OSError:
        return False


def load_balancer_pool(node_ip: str) -> tuple[str, str]:
    """MetalLB's pool: .200–.210 of the node's /24 (minikube's networks are /24; nodes take .2 upwards)."""
    network = ipaddress.ip_network(f"{node_ip}/24", strict=False)
    return str(network.network_address + 200), str(network.network_address + 210)
