"""The reference steps, scaled to 6."""

DEPLOYMENT = "deployment/deploy-web"


def solve(kubectl):
    kubectl("apply", "-f", "deployment.yaml")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    pod = kubectl("get", "pods", "-l", "app=deploy-web", "-o", "jsonpath={.items[0].metadata.name}")
    kubectl("delete", "pod", pod, "--wait=true")
    kubectl("scale", DEPLOYMENT, "--replicas=6")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
