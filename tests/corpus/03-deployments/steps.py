"""A learner's way through the exercise. params: imperative (kubectl create instead of apply), replicas (in the
applied manifest), wait (false: stop after creating), delete (a pod, default true), restart, scale, relabel (re-apply
with a changed template and 5 replicas: a new ReplicaSet)."""

import json
from pathlib import Path

import yaml

HERE = Path(__file__).parent
PARAMS = json.loads((HERE / "params.txt").read_text())
DEPLOYMENT = "deployment/deploy-web"


def solve(kubectl):
    manifest = yaml.safe_load((HERE / "deployment.yaml").read_text())
    if PARAMS.get("imperative"):
        kubectl("create", "deployment", "deploy-web", "--image=nginx:1.30", "--replicas=3", "--port=80")
    else:
        manifest["spec"]["replicas"] = PARAMS.get("replicas", 3)
        kubectl.apply(manifest)
    if not PARAMS.get("wait", True):
        return
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    if PARAMS.get("delete", True):
        pod = kubectl("get", "pods", "-l", "app=deploy-web", "-o", "jsonpath={.items[0].metadata.name}")
        kubectl("delete", "pod", pod, "--wait=true")
    if PARAMS.get("restart"):
        kubectl("rollout", "restart", DEPLOYMENT)
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    if PARAMS.get("scale"):
        kubectl("scale", DEPLOYMENT, f"--replicas={PARAMS['scale']}")
    if PARAMS.get("relabel"):
        manifest["spec"]["replicas"] = 5
        manifest["spec"]["template"]["metadata"]["labels"]["version"] = "v2"
        kubectl.apply(manifest)
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
