"""The learner labelled the nodes and deployed, but never drained a node."""


def solve(kubectl):
    kubectl("label", "nodes", "-l", "!node-role.kubernetes.io/control-plane", "kubelab.dev/nodes-lab=web",
            "--overwrite", namespaced=False)
    kubectl("apply", "-f", "web.yaml", "-f", "agent.yaml")
    kubectl("rollout", "status", "deployment/nodes-web", "--timeout=120s")
    kubectl("rollout", "status", "daemonset/nodes-agent", "--timeout=120s")
