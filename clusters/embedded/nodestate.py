"""What is known of the real node without starting it: its record, processes and capabilities, whether it can
run here, and the names the labs see. Light on purpose: `kubelab status` and `check` read it, and `realnode` (which makes and runs the node,
with certificates, images and the host changes) is imported only to start, stop or diagnose it."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

from ..base import Capabilities
from ..i18n import _
from .components import KUBE_NODE
from .processes import Running

OWNER = Path("/run/kubelab-real-node.json")  # which cluster's node holds the bridge, so a second one waits its turn
NODE_NAME = "kubelab-real"
LABEL = "kubelab.io/real-node"

# A lab namespace with these annotations gets its pods onto the real node (admission plugins PodNodeSelector and
# PodTolerationRestriction), so lesson manifests stay free of anything kubelab-specific.
NAMESPACE_ANNOTATIONS = {
    "scheduler.alpha.kubernetes.io/node-selector": f"{LABEL}=true",
    "scheduler.alpha.kubernetes.io/defaultTolerations": json.dumps([{"key": LABEL, "operator": "Exists",
                                                                      "effect": "NoSchedule"}]),
}


def node_dir(home: Path) -> Path:
    return home / "node"


def record_file(home: Path) -> Path:
    return node_dir(home) / "node.json"


def record(home: Path) -> dict:
    try:
        return json.loads(record_file(home).read_text())
    except (OSError, ValueError):
        return {}


def processes(home: Path) -> list[Running]:
    return [Running(**p) for p in record(home).get("processes", [])]


# -- can it run here? -------------------------------------------------------------------------
def unavailable(home: Path | None = None) -> list[str]:
    """Why a real node cannot run on this machine (for the cluster in ``home``), each with its fix; empty when
    it can."""
    if platform.system() != "Linux":
        return [_("A real node needs Linux (this is {system}); the cluster runs KWOK nodes only.",
                  system=platform.system())]
    reasons = []
    if os.geteuid() != 0:
        reasons.append(_("A real node needs root (it runs containerd and sets up a bridge); run `sudo kubelab up`."))
    from .containerd import missing_tools  # only now: it needs the host-change machinery

    missing = missing_tools()
    if missing:
        reasons.append(_("Missing packages for a real node: {packages}. Install them with "
                         "`sudo apt-get install {packages}` (or `make system-packages`).",
                         packages=" ".join(missing)))
    cgroups = Path("/sys/fs/cgroup")
    if not ((cgroups / "memory").is_dir() or "memory" in _read(cgroups / "cgroup.controllers")):
        reasons.append(_("The memory cgroup controller is not available in /sys/fs/cgroup, so container limits "
                         "cannot work; mount cgroups (v1 or v2) with the memory controller."))
    elif not os.access(cgroups, os.W_OK) and os.geteuid() == 0:
        reasons.append(_("/sys/fs/cgroup is read-only here, so containers cannot get cgroups."))
    holder = owner()
    if holder and holder != str(home) and node_alive(Path(holder)):
        reasons.append(_("Another kubelab cluster ({home}) already runs the real node; stop it first with "
                         "`kubelab down`.", home=holder))
    return reasons


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def owner() -> str:
    try:
        return json.loads(OWNER.read_text()).get("home", "")
    except (OSError, ValueError):
        return ""


def node_alive(home: Path) -> bool:
    """The node of the cluster in ``home`` runs, or is starting: its cluster's control plane runs (between the
    claim and the node's first process, another cluster must not take the node over)."""
    try:
        control_plane = [Running(**p) for p in json.loads((home / "state.json").read_text()).get("processes", [])]
    except (OSError, ValueError, TypeError):
        control_plane = []
    return any(p.alive() for p in [*processes(home), *control_plane])


# -- report -------------------------------------------------------------------------------------------------
def details(home: Path) -> dict | None:
    """The real node for `kubelab status`/`doctor --json`: name, address, runtime and its processes."""
    info = record(home)
    if not info.get("processes"):
        return None
    procs = processes(home)
    return {"name": info.get("name"), "ip": info.get("ip"), "runtime": "containerd", "socket": info.get("socket"),
            "pids": {p.name: p.pid for p in procs}, "running": all(p.alive() for p in procs),
            "kubelet": KUBE_NODE.version, "data_plane": bool(info.get("data_plane")), "dns": bool(info.get("dns")),
            "storage": bool(info.get("storage"))}


def capabilities(home: Path, detected: Capabilities) -> Capabilities:
    """The embedded cluster's capabilities: what the real node was seen doing at start, while it still runs
    and is Ready (``detected.data_plane``: a Ready node that is not KWOK's)."""
    node = details(home)
    alive = bool(node and node["running"] and detected.data_plane)
    gateway = alive and "traefik" in node["pids"] and detected.gateway  # Traefik runs and accepted its class
    return Capabilities(nodes=detected.nodes, data_plane=alive and node["data_plane"], dns=alive and node["dns"],
                        ingress=gateway, gateway=gateway, storage=alive and node["storage"],
                        metrics=detected.metrics)
