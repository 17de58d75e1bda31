"""Apply both pods without waiting (the checks wait for what can still change)."""


def solve(kubectl):
    kubectl("delete", "pod", "pods-web", "pods-sidecar", "--ignore-not-found", "--wait=true")
    kubectl("apply", "-f", "web.yaml", "-f", "sidecar.yaml")
