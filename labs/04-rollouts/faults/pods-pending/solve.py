"""The reference steps, then a template change whose pods no node accepts (no waiting for it)."""

DEPLOYMENT = "deployment/rollout-web"
STRATEGY = '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}'
NO_SUCH_NODE = '{"spec":{"template":{"spec":{"nodeSelector":{"disktype":"ssd"}}}}}'


def solve(kubectl):
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    kubectl("patch", DEPLOYMENT, "-p", STRATEGY)
    kubectl("set", "image", DEPLOYMENT, "web=nginx:1.30")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    kubectl("rollout", "undo", DEPLOYMENT)
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    kubectl("patch", DEPLOYMENT, "-p", NO_SUCH_NODE)
