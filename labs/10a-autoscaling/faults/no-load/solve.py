"""The learner made the Deployment and the HPA but never sent any load."""


def solve(kubectl):
    kubectl("apply", "-f", "web.yaml")
    kubectl("rollout", "status", "deployment/autoscale-web", "--timeout=120s")
    kubectl("apply", "-f", "hpa.yaml")
