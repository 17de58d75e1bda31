"""The pods can never be scheduled, so no replica becomes ready (no waiting for a rollout)."""

from checkers.solving import let_pods_age


def solve(kubectl):
    kubectl("apply", "-f", "deployment.yaml")
    kubectl("scale", "deployment/deploy-web", "--replicas=5")
    # The ReplicaSet makes the pods a moment after the scale: wait until all five exist (they stay Pending).
    kubectl("wait", "deployment/deploy-web", "--for=jsonpath={.status.replicas}=5", "--timeout=120s")
    let_pods_age()
    pod = kubectl("get", "pods", "-l", "app=deploy-web", "-o", "jsonpath={.items[0].metadata.name}")
    kubectl("delete", "pod", pod, "--wait=true")
