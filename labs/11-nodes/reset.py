"""Cluster-scoped clean-up for `kubelab reset`: nodes this lab labelled are schedulable and unlabelled again."""


def reset(kubectl):
    kubectl("uncordon", "-l", "kubelab.dev/nodes-lab", namespaced=False)
    kubectl("label", "nodes", "-l", "kubelab.dev/nodes-lab", "kubelab.dev/nodes-lab-", namespaced=False)
