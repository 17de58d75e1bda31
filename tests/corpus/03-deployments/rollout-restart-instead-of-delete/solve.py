"""A rollout restart instead of a deleted pod."""

DEPLOYMENT = "deployment/deploy-web"


def solve(kubectl):
    kubectl("apply", "-f", "deployment.yaml")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    kubectl("rollout", "restart", DEPLOYMENT)
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    kubectl("scale", DEPLOYMENT, "--replicas=5")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
