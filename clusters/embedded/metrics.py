"""metrics-server beside the real node: the resource metrics API behind `kubectl top` and CPU autoscaling.

A host process built from its Go module (``sigs.k8s.io/metrics-server``), with its own client certificate. It
scrapes ``/metrics/resource`` of the real node's kubelet only (``--node-selector``: KWOK nodes have no
kubelet), through the node's ``Hostname`` address (localhost, where the kubelet listens) and the port the
node reports. It serves on the node address; the API server reaches it through the APIService
``v1beta1.metrics.k8s.io`` → Service ``kube-system/metrics-server`` (no selector) → an EndpointSlice to that
address: kube-proxy carries the API server's ClusterIP traffic there like any host traffic. It stops with the
node; the objects stay (an APIService whose Service answers nothing is only unavailable).
"""

from __future__ import annotations

import base64
import time


from ..api import ApiError, Client, apply, request
from ..base import Progress, metrics_available
from ..errors import KubelabError
from ..i18n import _
from . import pki
from .nodehost import NODE_IP

NAME = "metrics-server"
API_SERVICE = "v1beta1.metrics.k8s.io"
USER = "system:metrics-server"
RESOLUTION = "15s"  # how often it scrapes; the HPA controller reads every 15 s
RULES = [{"apiGroups": [""], "resources": ["nodes/metrics"], "verbs": ["get"]},
         {"apiGroups": [""], "resources": ["pods", "nodes"], "verbs": ["get", "list", "watch"]}]
# who may read the metrics: every role that may view a namespace (as the upstream manifest grants)
READER_LABELS = {f"rbac.authorization.k8s.io/aggregate-to-{role}": "true" for role in ("view", "edit", "admin")}


def start(cp, api: Client, binary, run, logs, progress: Progress) -> None:
    """Start it with the node's ``run`` (recorded with the node's processes, stopped with them) and wait for the
    API server to reach it. The node runs containers without it: a failure is said, never fatal."""
    from .processes import free_ports
    from .realnode import _listening

    port = free_ports(1)[0]
    try:
        run(NAME, args(cp, api, binary, port), lambda: _listening(NODE_IP, port))
    except (KubelabError, OSError) as exc:
        progress(_("metrics-server did not start, so `kubectl top` and CPU autoscaling do not work: {error}",
                   error=exc))
        return
    wait_available(api, progress, logs)


def args(cp, api: Client, binary, port: int) -> list[str]:
    """Make its certificates, RBAC, Service, EndpointSlice and APIService; return its command line."""
    from .realnode import LABEL, _kubeconfig

    directory = cp.home / "pki"
    crt, key = pki.issue(directory, NAME, USER)
    kubeconfig = _kubeconfig(cp, NAME, crt, key)
    service = f"{NAME}.kube-system.svc"
    serving_crt, serving_key = pki.issue(directory, f"{NAME}-serving", service, server=True,
                                         names=(service, f"{service}.cluster.local"), ips=(NODE_IP,))
    for body in _objects(port, directory / "ca.crt"):
        apply(api, body)
    return [str(binary), f"--kubeconfig={kubeconfig}", f"--authentication-kubeconfig={kubeconfig}",
            f"--authorization-kubeconfig={kubeconfig}", f"--bind-address={NODE_IP}", f"--secure-port={port}",
            f"--tls-cert-file={serving_crt}", f"--tls-private-key-file={serving_key}",
            f"--kubelet-certificate-authority={directory / 'ca.crt'}", "--kubelet-preferred-address-types=Hostname",
            "--kubelet-use-node-status-port", f"--node-selector={LABEL}=true", f"--metric-resolution={RESOLUTION}",
            "--profiling=false", "--v=1"]


def _objects(port: int, ca) -> list[dict]:
    def binding(kind: str, name: str, role_kind: str, role: str, namespace: str | None = None) -> dict:
        meta = {"name": name, **({"namespace": namespace} if namespace else {})}
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta,
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
                "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": USER}]}

    ports = [{"name": "https", "port": 443, "protocol": "TCP"}]
    labels = {"k8s-app": NAME}
    return [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": USER},
         "rules": RULES},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
         "metadata": {"name": "system:aggregated-metrics-reader", "labels": READER_LABELS},
         "rules": [{"apiGroups": ["metrics.k8s.io"], "resources": ["pods", "nodes"],
                    "verbs": ["get", "list", "watch"]}]},
        binding("ClusterRoleBinding", USER, "ClusterRole", USER),
        binding("ClusterRoleBinding", f"{NAME}:system:auth-delegator", "ClusterRole", "system:auth-delegator"),
        binding("RoleBinding", f"{NAME}-auth-reader", "Role", "extension-apiserver-authentication-reader",
                "kube-system"),
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": NAME, "namespace": "kube-system",
                                                             "labels": labels}, "spec": {"ports": ports}},
        {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
         "metadata": {"name": f"{NAME}-kubelab", "namespace": "kube-system",
                      "labels": {"kubernetes.io/service-name": NAME,
                                 "endpointslice.kubernetes.io/managed-by": "kubelab"}},
         "endpoints": [{"addresses": [NODE_IP], "conditions": {"ready": True}}],
         "ports": [{"name": "https", "port": port, "protocol": "TCP"}]},
        {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
         "metadata": {"name": API_SERVICE, "labels": labels},
         "spec": {"group": "metrics.k8s.io", "version": "v1beta1", "groupPriorityMinimum": 100,
                  "versionPriority": 100, "service": {"namespace": "kube-system", "name": NAME, "port": 443},
                  "caBundle": base64.b64encode(ca.read_bytes()).decode()}},
    ]


def wait_available(api: Client, progress: Progress, logs, timeout: float = 60.0) -> bool:
    """Wait (bounded) for the API server to reach metrics-server; say so when it does not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if metrics_available(api):
            return True
        time.sleep(0.5)
    progress(_("metrics-server does not answer the API server yet, so `kubectl top` and CPU autoscaling do not "
               "work; see its log in {log}.", log=logs / f"{NAME}.log"))
    return False


def remove(api: Client) -> None:
    """Forget the APIService (a cluster without its real node has no metrics-server to point at)."""
    try:
        request(api, "DELETE", f"/apis/apiregistration.k8s.io/v1/apiservices/{API_SERVICE}")
    except ApiError:
        pass
