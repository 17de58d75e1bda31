"""Cluster-scoped clean-up for `kubelab reset`: the PersistentVolumes made for this namespace's claims."""


def reset(kubectl):
    kubectl("delete", "pv", "-l", f"kubelab.dev/claim-namespace={kubectl.namespace}", "--ignore-not-found",
            namespaced=False)
