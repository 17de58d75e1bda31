"""The reference solution: label the worker nodes, run nodes-web on them and nodes-agent everywhere, then
cordon and drain the worker that runs most of nodes-web's pods, and uncordon it. The node is uncordoned even
when a step fails, so that the cluster is never left with a node out of service."""

from collections import Counter

from checkers.solving import let_pods_age

WORKERS = "!node-role.kubernetes.io/control-plane"
LABEL = "kubelab.dev/nodes-lab=web"


def solve(kubectl):
    start(kubectl)
    let_pods_age()
    node = busiest_node(kubectl)
    try:
        kubectl("cordon", node, namespaced=False)
        kubectl("drain", node, "--ignore-daemonsets", "--pod-selector=app=nodes-web", "--timeout=120s",
                namespaced=False)
        kubectl("rollout", "status", "deployment/nodes-web", "--timeout=120s")
    finally:
        kubectl("uncordon", node, namespaced=False)


def start(kubectl):
    kubectl("label", "nodes", "-l", WORKERS, LABEL, "--overwrite", namespaced=False)
    kubectl("apply", "-f", "web.yaml", "-f", "agent.yaml")
    kubectl("rollout", "status", "deployment/nodes-web", "--timeout=120s")
    kubectl("rollout", "status", "daemonset/nodes-agent", "--timeout=120s")


def busiest_node(kubectl) -> str:
    nodes = kubectl("get", "pods", "-l", "app=nodes-web", "-o", "jsonpath={.items[*].spec.nodeName}").split()
    return Counter(nodes).most_common(1)[0][0]
