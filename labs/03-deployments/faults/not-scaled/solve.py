"""The learner stopped before scaling: three replicas, not five."""

from checkers.solving import let_pods_age


def solve(kubectl):
    kubectl("apply", "-f", "deployment.yaml")
    kubectl("rollout", "status", "deployment/deploy-web", "--timeout=120s")
    let_pods_age()
    pod = kubectl("get", "pods", "-l", "app=deploy-web", "-o", "jsonpath={.items[0].metadata.name}")
    kubectl("delete", "pod", pod, "--wait=true")
    kubectl("rollout", "status", "deployment/deploy-web", "--timeout=120s")
