"""A typo in the version: the update goes to nginx 1.29, then is rolled back."""

DEPLOYMENT = "deployment/rollout-web"
STRATEGY = '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}'


def solve(kubectl):
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    kubectl("patch", DEPLOYMENT, "-p", STRATEGY)
    kubectl("set", "image", DEPLOYMENT, "web=nginx:1.29")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    kubectl("rollout", "undo", DEPLOYMENT)
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
