"""replicas: 5 written in the manifest and applied, then a pod deleted."""

from pathlib import Path

import yaml

DEPLOYMENT = "deployment/deploy-web"


def solve(kubectl):
    manifest = yaml.safe_load((Path(__file__).parent / "deployment.yaml").read_text())
    manifest["spec"]["replicas"] = 5
    kubectl.apply(manifest)
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    pod = kubectl("get", "pods", "-l", "app=deploy-web", "-o", "jsonpath={.items[0].metadata.name}")
    kubectl("delete", "pod", pod, "--wait=true")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
