"""The exercise's steps with a case's strategy, image and way back (params: strategy, image, undos, back)."""

import json
from pathlib import Path

DEPLOYMENT = "deployment/rollout-web"
PARAMS = json.loads((Path(__file__).parent / "params.txt").read_text())


def solve(kubectl):
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    kubectl("patch", DEPLOYMENT, "-p", json.dumps({"spec": {"strategy": {"rollingUpdate": PARAMS["strategy"]}}}))
    kubectl("set", "image", DEPLOYMENT, f"web={PARAMS['image']}")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    for _ in range(PARAMS.get("undos", 1)):
        kubectl("rollout", "undo", DEPLOYMENT)
        kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    if PARAMS.get("back"):
        kubectl("set", "image", DEPLOYMENT, f"web={PARAMS['back']}")
        kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
