"""Apply both pods without waiting: pods-web stays Pending on purpose."""


def solve(kubectl):
    kubectl("apply", "-f", "web.yaml", "-f", "sidecar.yaml")
