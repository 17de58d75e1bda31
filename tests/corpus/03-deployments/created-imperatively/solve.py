"""kubectl create deployment, delete a pod, kubectl scale: no manifest at all."""

DEPLOYMENT = "deployment/deploy-web"


def solve(kubectl):
    kubectl("create", "deployment", "deploy-web", "--image=nginx:1.27", "--replicas=3", "--port=80")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    pod = kubectl("get", "pods", "-l", "app=deploy-web", "-o", "jsonpath={.items[0].metadata.name}")
    kubectl("delete", "pod", pod, "--wait=true")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
    kubectl("scale", DEPLOYMENT, "--replicas=5")
    kubectl("rollout", "status", DEPLOYMENT, "--timeout=120s")
