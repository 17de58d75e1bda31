"""The reference solution: create the Deployment, delete one of its pods, then scale to 5."""

import time

from checkers.solving import let_pods_age

DEPLOYMENT = "deployment/deploy-web"


def solve(kubectl):
    kubectl("apply", "-f", "deployment.yaml")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    let_pods_age()
    delete_one_pod(kubectl)
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    time.sleep(2)  # the scale comes in a later second than the replacement, as when a person types it
    kubectl("scale", DEPLOYMENT, "--replicas=5")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")


def delete_one_pod(kubectl):
    pod = kubectl("get", "pods", "-l", "app=deploy-web", "-o", "jsonpath={.items[0].metadata.name}")
    kubectl("delete", "pod", pod, "--wait=true")
