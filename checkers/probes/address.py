"""Where a Service answers TCP from outside the cluster, from the Service and Node objects alone."""

from __future__ import annotations

from clusters.base import FAKE_NODE_ANNOTATION

from .common import Target


def service_target(service: dict, nodes: list[dict], port: int | str) -> Target | None:
    """The (host, port) that reaches ``port`` (the Service port's number or name) of ``service``.

    A LoadBalancer ingress address with the Service port comes first; else a Ready node's
    InternalIP with the port's nodePort (any node serves every nodePort; KWOK's simulated nodes, whose
    addresses lead nowhere, never count). None when neither exists
    (a ClusterIP Service, no nodes, no such port): the lab check decides what that means.
    """
    spec = service.get("spec") or {}
    entry = next((p for p in spec.get("ports") or [] if isinstance(p, dict) and port in (p.get("port"), p.get("name"))),
                 None)
    if entry is None:
        return None
    for ingress in (service.get("status") or {}).get("loadBalancer", {}).get("ingress") or []:
        host = ingress.get("ip") or ingress.get("hostname") if isinstance(ingress, dict) else None
        if host:
            return Target(host, entry["port"], "load balancer")
    node_port = entry.get("nodePort")
    if not node_port:
        return None
    real = [n for n in nodes if FAKE_NODE_ANNOTATION not in ((n.get("metadata") or {}).get("annotations") or {})]
    for node in sorted(real, key=lambda n: not _ready(n)):
        address = next((a.get("address") for a in (node.get("status") or {}).get("addresses") or []
                        if isinstance(a, dict) and a.get("type") == "InternalIP"), None)
        if address:
            return Target(address, node_port, "node port")
    return None


def _ready(node: dict) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (node.get("status") or {}).get("conditions") or [] if isinstance(c, dict))
