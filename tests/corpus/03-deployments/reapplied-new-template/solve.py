"""Delete a pod, then re-apply the Deployment with a changed template (a new ReplicaSet), scaled to 5."""

from pathlib import Path

import yaml

DEPLOYMENT = "deployment/deploy-web"


def solve(kubectl):
    kubectl("apply", "-f", "deployment.yaml")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    pod = kubectl("get", "pods", "-l", "app=deploy-web", "-o", "jsonpath={.items[0].metadata.name}")
    kubectl("delete", "pod", pod, "--wait=true")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    manifest = yaml.safe_load((Path(__file__).parent / "deployment.yaml").read_text())
    manifest["spec"]["replicas"] = 5
    manifest["spec"]["template"]["metadata"]["labels"]["version"] = "v2"
    kubectl.apply(manifest)
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
