"""The reference solution: a careful strategy, an update to nginx 1.30, then a rollback to 1.28."""

DEPLOYMENT = "deployment/rollout-web"
STRATEGY = '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}'


def solve(kubectl):
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    kubectl("patch", DEPLOYMENT, "-p", STRATEGY)
    kubectl("set", "image", DEPLOYMENT, "web=nginx:1.30")
    kubectl("annotate", DEPLOYMENT, "kubernetes.io/change-cause=nginx 1.30", "--overwrite")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    kubectl("rollout", "undo", DEPLOYMENT)
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
