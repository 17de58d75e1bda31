"""Apply without waiting: the pods can never start."""


def solve(kubectl):
    kubectl("apply", "-f", "deployment.yaml")
