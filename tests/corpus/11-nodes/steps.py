"""Label the worker nodes, apply nodes-web and nodes-agent, and wait for them unless params: wait is false."""

import json
from pathlib import Path

PARAMS = json.loads((Path(__file__).parent / "params.txt").read_text())


def solve(kubectl):
    kubectl("label", "nodes", "-l", "!node-role.kubernetes.io/control-plane", "kubelab.dev/nodes-lab=web",
            "--overwrite", namespaced=False)
    kubectl("apply", "-f", "web.yaml", "-f", "agent.yaml")
    if PARAMS.get("wait", True):
        kubectl("rollout", "status", "deployment/nodes-web", "--timeout=120s")
        kubectl("rollout", "status", "daemonset/nodes-agent", "--timeout=120s")
