"""The steps of the reference solution, shared with the faults' solve.py.

The authtoken Secret takes $NGROK_AUTHTOKEN when it is set (a live run); otherwise a random value of a
token's shape, enough for the checks that read only the API. The page's nonce is random too, made once.
"""

import os
import secrets


def token_secret(token: str) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "ngrok-authtoken"},
            "stringData": {"token": token}}


def setup(kubectl, token: str | None = None) -> None:
    """The Secret and the page (unless they exist), the web server, its Service and the agent."""
    if not kubectl("get", "secret", "ngrok-authtoken", "--ignore-not-found", "-o", "name"):
        made_up = f"0kubelab{secrets.token_urlsafe(36)}"  # the shape of a token: letters and digits
        kubectl.apply(token_secret(token or os.environ.get("NGROK_AUTHTOKEN") or made_up))
    if not kubectl("get", "configmap", "ngrok-web-page", "--ignore-not-found", "-o", "name"):
        kubectl.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ngrok-web-page"},
                       "data": {"index.html": f"kubelab-{secrets.token_hex(12)}\n"}})
    kubectl("apply", "-f", "web.yaml")
    kubectl("apply", "-f", "agent.yaml")
    kubectl("rollout", "status", "deployment/ngrok-web", "--timeout=120s")

