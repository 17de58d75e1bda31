"""The reference solution: the hardened Deployment, applied over the starting one, and its rollout."""

from clusters.errors import ActionFailed


def solve(kubectl):
    kubectl("apply", "-f", "app.yaml")
    try:  # a container the kubelet refuses to start never becomes ready: that is what its check reports
        kubectl("rollout", "status", "deployment/secure-app", "--timeout=60s")
    except ActionFailed:
        pass
