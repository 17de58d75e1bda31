"""The embedded cluster's nodes: plain Node objects that KWOK keeps Ready.

Named like kind's (``kubelab-control-plane``, ``kubelab-worker``,
``kubelab-worker2`` …). The control-plane node carries kubeadm's taint, so lab
pods land on workers as on a real multi-node cluster.
"""

from __future__ import annotations

import time

from ..api import Client, get, request
from ..base import FAKE_NODE_ANNOTATION, condition
from ..errors import ClusterStartFailed
from ..i18n import _
from .processes import Running, log_tail

CONTROL_PLANE = "kubelab-control-plane"
CONTROL_PLANE_ROLE = "node-role.kubernetes.io/control-plane"
ARCH = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def node_names(count: int) -> list[str]:
    """``count`` node names: the control plane first, then workers."""
    workers = [f"kubelab-worker{i if i > 1 else ''}" for i in range(1, count)]
    return [CONTROL_PLANE, *workers]


def node_manifest(name: str, machine: str) -> dict:
    arch = ARCH.get(machine.lower(), "amd64")
    labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": arch,
              "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": arch, "type": "kwok"}
    spec: dict = {"providerID": f"kwok://{name}"}
    if name == CONTROL_PLANE:
        labels[CONTROL_PLANE_ROLE] = ""
        spec["taints"] = [{"key": CONTROL_PLANE_ROLE, "effect": "NoSchedule"}]
    capacity = {"cpu": "4", "memory": "8Gi", "pods": "110", "ephemeral-storage": "50Gi"}
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": labels,
                     "annotations": {"node.alpha.kubernetes.io/ttl": "0", FAKE_NODE_ANNOTATION: "fake"}},
        "spec": spec,
        "status": {"capacity": capacity, "allocatable": capacity,
                   "nodeInfo": {"kubeletVersion": "fake", "kubeProxyVersion": "fake", "architecture": arch,
                                "operatingSystem": "linux", "osImage": "kwok", "containerRuntimeVersion": "kwok",
                                "kernelVersion": "kwok", "bootID": "", "machineID": "", "systemUUID": ""}},
    }


def sync_nodes(api: Client, names: list[str], machine: str) -> None:
    """Create the missing nodes and delete our extra workers, so exactly ``names`` exist."""
    existing = {n["metadata"]["name"] for n in _list_nodes(api)}
    for name in names:
        if name not in existing:
            request(api, "POST", "/api/v1/nodes", body=node_manifest(name, machine))
    for name in sorted(existing - set(names)):
        if name.startswith("kubelab-worker"):
            request(api, "DELETE", f"/api/v1/nodes/{name}")


NOT_READY_TAINTS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")


def _schedulable(node: dict) -> bool:
    """Ready, and the node-lifecycle controller has lifted the not-ready taint it starts with."""
    taints = (node.get("spec") or {}).get("taints") or []
    return condition(node, "Ready") == "True" and not any(t.get("key") in NOT_READY_TAINTS for t in taints)


def wait_nodes_ready(api: Client, count: int, kwok: Running, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = [n for n in _list_nodes(api) if _schedulable(n)]
        if len(ready) >= count:
            return
        if not kwok.alive():
            break
        time.sleep(0.2)
    raise ClusterStartFailed(_("The nodes did not become Ready; kwok's log ({log}) ends with:\n{tail}",
                               log=kwok.log, tail=log_tail(kwok)))


def _list_nodes(api: Client) -> list[dict]:
    return get(api, "/api/v1/nodes")["items"]
