"""resources-plain is created first, before the LimitRange (and the quota) exist."""

import time


def solve(kubectl):
    kubectl("apply", "-f", "plain.yaml")
    kubectl("apply", "-f", "api.yaml")
    kubectl("run", "resources-greedy", "--image=nginx:1.30", "--overrides",
            '{"spec": {"containers": [{"name": "greedy", "image": "nginx:1.30", '
            '"resources": {"requests": {"cpu": "16"}, "limits": {"cpu": "16"}}}]}}')
    for _attempt in range(150):
        if kubectl("get", "events", "--field-selector",
                   "involvedObject.name=resources-greedy,reason=FailedScheduling", "-o", "name"):
            break
        time.sleep(0.2)
    kubectl("delete", "pod", "resources-greedy", "--wait=true")
    for manifest in ("greedy.yaml", "defaults.yaml", "quota.yaml"):
        kubectl("apply", "-f", manifest)
    kubectl("rollout", "status", "deployment/resources-api", "--timeout=120s")
    kubectl("wait", "--for=condition=Ready", "pod/resources-greedy", "pod/resources-plain", "--timeout=60s")
