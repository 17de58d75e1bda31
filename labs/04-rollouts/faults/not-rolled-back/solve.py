"""The learner stopped after the update: no rollback."""

DEPLOYMENT = "deployment/rollout-web"
STRATEGY = '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}'


def solve(kubectl):
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    kubectl("patch", DEPLOYMENT, "-p", STRATEGY)
    kubectl("set", "image", DEPLOYMENT, "web=nginx:1.30")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
