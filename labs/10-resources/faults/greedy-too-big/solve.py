"""The learner read why resources-greedy waits but never made it smaller."""

TOO_BIG = {"requests": {"cpu": "16", "memory": "64Mi"}, "limits": {"cpu": "16", "memory": "64Mi"}}


def solve(kubectl):
    for manifest in ("api.yaml", "defaults.yaml", "plain.yaml"):
        kubectl("apply", "-f", manifest)
    kubectl.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "resources-greedy"},
                   "spec": {"containers": [{"name": "greedy", "image": "nginx:1.30", "resources": TOO_BIG}]}})
    kubectl("apply", "-f", "quota.yaml")  # after the big pod: a quota refuses it at once, before the scheduler
    kubectl("rollout", "status", "deployment/resources-api", "--timeout=120s")
    kubectl("wait", "--for=condition=Ready", "pod/resources-plain", "--timeout=60s")
    kubectl("wait", "--for=condition=PodScheduled=False", "pod/resources-greedy", "--timeout=60s")
