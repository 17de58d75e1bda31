"""Cluster-scoped clean-up for `kubelab reset`: the PersistentVolumes made for this namespace's claims.

They are deleted without waiting: a volume still bound to a claim goes once the claim does.
"""


def reset(kubectl):
    selector = f"kubelab.dev/claim-namespace={kubectl.namespace}"
    kubectl("delete", "pv", "-l", selector, "--ignore-not-found", "--wait=false", namespaced=False)
