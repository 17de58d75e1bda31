"""The reference solution: the three workloads, then (where containers really run) one web pod taken out of
rotation by hiding the page its readiness probe asks for, and a wait until the hung pod has been restarted."""

from checkers.solving import has_data_plane
from clusters.errors import ActionFailed

PAGE = "/usr/share/nginx/html/index.html"


def solve(kubectl):
    for manifest in ("web.yaml", "hung.yaml", "slow.yaml"):
        kubectl("apply", "-f", manifest)
    settled(kubectl, "rollout", "status", "deployment/probes-web", "--timeout=120s")
    if has_data_plane(kubectl):
        drain_one(kubectl)
        if kubectl("get", "pod/probes-hung", "-o", "jsonpath={.spec.containers[0].livenessProbe}"):
            kubectl("wait", "pod/probes-hung", "--timeout=120s",
                    "--for=jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}=137")
    settled(kubectl, "rollout", "status", "deployment/probes-slow", "--timeout=60s")


def settled(kubectl, *args):
    """Wait for a state a wrong probe may never reach (pods that never become ready, or never unready): the
    checks report it, so the wait only ends."""
    try:
        kubectl(*args)
    except ActionFailed:
        pass


def drain_one(kubectl):
    """Hide the page of one web pod: its readiness probe fails, its liveness probe (TCP) does not."""
    pod = kubectl("get", "pods", "-l", "app=probes-web", "-o", "jsonpath={.items[0].metadata.name}")
    kubectl("exec", pod, "--", "mv", PAGE, PAGE + ".away")
    settled(kubectl, "wait", f"pod/{pod}", "--for=condition=Ready=false", "--timeout=60s")
