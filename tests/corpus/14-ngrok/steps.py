"""The reference steps, then the learner notes the authtoken in an annotation of the agent's Deployment."""

import base64

from checkers.scripts import sibling


def solve(kubectl):
    sibling(__file__, "ngrok_setup.py").setup(kubectl)
    token = base64.b64decode(kubectl("get", "secret", "ngrok-authtoken", "-o", "jsonpath={.data.token}")).decode()
    kubectl("annotate", "deployment/ngrok-agent", f"kubelab.dev/note=token {token}", "--overwrite")
