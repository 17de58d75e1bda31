"""Update and roll back, but with the default strategy."""

DEPLOYMENT = "deployment/rollout-web"


def solve(kubectl):
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    kubectl("set", "image", DEPLOYMENT, "web=nginx:1.30")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    kubectl("rollout", "undo", DEPLOYMENT)
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
