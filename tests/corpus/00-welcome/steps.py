"""Label the namespace (params: label), then create the pod (params: run, an image for `kubectl run`; else
hello.yaml) and wait for it unless params: wait is false."""

import json
from pathlib import Path

PARAMS = json.loads((Path(__file__).parent / "params.txt").read_text())


def solve(kubectl):
    kubectl("label", "namespace", kubectl.namespace, PARAMS.get("label", "kubelab.dev/owner=learner"), "--overwrite",
            namespaced=False)
    if PARAMS.get("run"):
        kubectl("run", "welcome-hello", f"--image={PARAMS['run']}")
    else:
        kubectl("apply", "-f", "hello.yaml")
    if PARAMS.get("wait", True):
        kubectl("wait", "--for=condition=Ready", "pod/welcome-hello", "--timeout=60s")
