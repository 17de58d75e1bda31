"""The reference solution: label the lab's namespace as yours, then run the first pod."""

OWNER_LABEL = "kubelab.dev/owner=learner"


def solve(kubectl):
    kubectl("label", "namespace", kubectl.namespace, OWNER_LABEL, "--overwrite", namespaced=False)
    kubectl("apply", "-f", "hello.yaml")
    kubectl("wait", "--for=condition=Ready", "pod/welcome-hello", "--timeout=60s")
