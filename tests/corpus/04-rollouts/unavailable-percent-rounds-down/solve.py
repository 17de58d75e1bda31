"""The exercise's steps with this case's strategy, image and rollback."""

DEPLOYMENT = "deployment/rollout-web"
STRATEGY = '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":"10%"}}}}'
IMAGE = "nginx:1.27"
UNDOS = 1
BACK = ""


def solve(kubectl):
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    kubectl("patch", DEPLOYMENT, "-p", STRATEGY)
    kubectl("set", "image", DEPLOYMENT, f"web={IMAGE}")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    for _ in range(UNDOS):
        kubectl("rollout", "undo", DEPLOYMENT)
        kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    if BACK:
        kubectl("set", "image", DEPLOYMENT, f"web={BACK}")
        kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
