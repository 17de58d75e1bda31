"""The liveness probe reads the page too: the drained pod is restarted, which puts the page back."""

from checkers.solving import has_data_plane

PAGE = "/usr/share/nginx/html/index.html"


def solve(kubectl):
    for manifest in ("web.yaml", "hung.yaml", "slow.yaml"):
        kubectl("apply", "-f", manifest)
    kubectl("rollout", "status", "deployment/probes-web", "--timeout=120s")
    kubectl("rollout", "status", "deployment/probes-slow", "--timeout=120s")
    if has_data_plane(kubectl):
        pod = kubectl("get", "pods", "-l", "app=probes-web", "-o", "jsonpath={.items[0].metadata.name}")
        kubectl("exec", pod, "--", "mv", PAGE, PAGE + ".away")
        kubectl("wait", f"pod/{pod}", "--for=jsonpath={.status.containerStatuses[0].restartCount}=1",
                "--timeout=60s")
        kubectl("wait", "pod/probes-hung", "--timeout=120s",
                "--for=jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}=137")
