"""The namespace is labelled, but the pod can never be scheduled (no waiting for it)."""


def solve(kubectl):
    kubectl("label", "namespace", kubectl.namespace, "kubelab.dev/owner=learner", "--overwrite", namespaced=False)
    kubectl("apply", "-f", "hello.yaml")
