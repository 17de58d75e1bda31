"""The learner scaled but never deleted a pod, so self-healing was never seen."""


def solve(kubectl):
    kubectl("apply", "-f", "deployment.yaml")
    kubectl("scale", "deployment/deploy-web", "--replicas=5")
    kubectl("rollout", "status", "deployment/deploy-web", "--timeout=120s")
