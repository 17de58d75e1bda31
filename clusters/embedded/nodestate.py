"""What is known of the real node without starting it: its record, processes and capabilities, and the names the
labs see. Light on purpose: `kubelab status` and `check` read it, and `realnode` (which makes and runs the node,
with certificates, images and the host changes) is imported only to start, stop or diagnose it."""

from __future__ import annotations

import json
from pathlib import Path

from ..base import Capabilities
from .components import KUBE_NODE
from .processes import Running

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


# -- report -------------------------------------------------------------------------------------------------
def details(home: Path) -> dict | None:
    """The real node for `kubelab status`/`doctor --json`: name, address, runtime and its processes."""
    info = record(home)
    if not info.get("processes"):
        return None
    procs = processes(home)
    return {"name": info.get("name"), "ip": info.get("ip"), "runtime": "containerd", "socket": info.get("socket"),
            "pids": {p.name: p.pid for p in procs}, "running": all(p.alive() for p in procs),
            "kubelet": KUBE_NODE.version, "data_plane": bool(info.get("data_plane")), "dns": bool(info.get("dns"))}


def capabilities(home: Path, detected: Capabilities) -> Capabilities:
    """The embedded cluster's capabilities: what the real node was seen doing at start, while it still runs
    and is Ready (``detected.data_plane``: a Ready node that is not KWOK's)."""
    node = details(home)
    alive = bool(node and node["running"] and detected.data_plane)
    return Capabilities(nodes=detected.nodes, data_plane=alive and node["data_plane"], dns=alive and node["dns"])
