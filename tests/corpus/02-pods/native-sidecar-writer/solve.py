"""Apply both pods and wait for the sidecar pod."""


def solve(kubectl):
    kubectl("delete", "pod", "pods-web", "pods-sidecar", "--ignore-not-found", "--wait=true")
    kubectl("apply", "-f", "web.yaml", "-f", "sidecar.yaml")
    kubectl("wait", "--for=condition=Ready", "pod/pods-sidecar", "--timeout=120s")
