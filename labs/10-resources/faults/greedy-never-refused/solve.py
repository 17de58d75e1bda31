"""The learner skipped the too-big attempt: resources-greedy fits at once."""


def solve(kubectl):
    for manifest in ("api.yaml", "greedy.yaml", "defaults.yaml", "quota.yaml", "plain.yaml"):
        kubectl("apply", "-f", manifest)
    kubectl("rollout", "status", "deployment/resources-api", "--timeout=120s")
    kubectl("wait", "--for=condition=Ready", "pod/resources-greedy", "pod/resources-plain", "--timeout=60s")
