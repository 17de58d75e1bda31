"""The reference solution, in the lesson's order: the Guaranteed Deployment; the greedy pod asking for 16 CPUs,
left Pending until the scheduler has said why, then made to fit; the LimitRange and the ResourceQuota; and a
pod without resources that receives the LimitRange's defaults."""

import time

TOO_BIG = {"requests": {"cpu": "16", "memory": "64Mi"}, "limits": {"cpu": "16", "memory": "64Mi"}}


def solve(kubectl):
    kubectl("apply", "-f", "api.yaml")
    refused_then_fixed(kubectl)
    kubectl("apply", "-f", "defaults.yaml")
    kubectl("apply", "-f", "quota.yaml")
    kubectl("apply", "-f", "plain.yaml")
    wait_ready(kubectl)


def refused_then_fixed(kubectl):
    """Create resources-greedy too big for any node, wait for the scheduler's verdict, then recreate it smaller.

    A quota would refuse the big pod before the scheduler sees it, so an earlier quota goes (it comes back later).
    """
    kubectl("delete", "pod/resources-greedy", "resourcequota/resources-quota", "--ignore-not-found", "--wait=true")
    kubectl.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "resources-greedy"},
                   "spec": {"containers": [{"name": "greedy", "image": "nginx:1.30", "resources": TOO_BIG}]}})
    for _attempt in range(150):
        if kubectl("get", "events", "--field-selector", "involvedObject.name=resources-greedy,reason=FailedScheduling",
                   "-o", "name"):
            break
        time.sleep(0.2)
    kubectl("delete", "pod", "resources-greedy", "--wait=true")
    kubectl("apply", "-f", "greedy.yaml")


def wait_ready(kubectl):
    kubectl("rollout", "status", "deployment/resources-api", "--timeout=120s")
    kubectl("wait", "--for=condition=Ready", "pod/resources-greedy", "pod/resources-plain", "--timeout=60s")
