"""The reference solution, in the lesson's order: the web Deployment with its requests and its Service, the HPA,
then the load generator; where the cluster serves metrics, wait until the HPA has scaled the Deployment up."""

import json
import time


def solve(kubectl):
    kubectl("apply", "-f", "web.yaml")
    kubectl("rollout", "status", "deployment/autoscale-web", "--timeout=120s")
    kubectl("apply", "-f", "hpa.yaml")
    kubectl("apply", "-f", "load.yaml")
    kubectl("rollout", "status", "deployment/autoscale-load", "--timeout=120s")
    wait_scaled(kubectl)


def wait_scaled(kubectl, timeout: float = 240):
    """The HPA needs two or three metric readings (15 s apart) before it scales: wait for its decision."""
    try:
        kubectl("get", "--raw", "/apis/metrics.k8s.io/v1beta1", namespaced=False)
    except Exception:  # no metrics API on this cluster: the HPA can never scale, nothing to wait for
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hpa = json.loads(kubectl("get", "hpa", "autoscale-web", "-o", "json"))
        status = hpa.get("status") or {}
        if status.get("desiredReplicas", 0) > (hpa["spec"].get("minReplicas") or 1):
            return
        time.sleep(2)
