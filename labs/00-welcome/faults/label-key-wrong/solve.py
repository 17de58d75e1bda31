"""The pod runs, but the namespace label has the wrong key."""


def solve(kubectl):
    kubectl("label", "namespace", kubectl.namespace, "owner=learner", "--overwrite", namespaced=False)
    kubectl("apply", "-f", "hello.yaml")
    kubectl("wait", "--for=condition=Ready", "pod/welcome-hello", "--timeout=60s")
