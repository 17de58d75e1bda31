"""Re-create the pod (its image fields cannot change in place), without waiting."""


def solve(kubectl):
    kubectl("delete", "pod", "containers-hello", "--ignore-not-found", "--wait=true")
    kubectl("apply", "-f", "hello.yaml")
