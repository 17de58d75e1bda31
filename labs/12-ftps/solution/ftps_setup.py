"""The steps of the reference solution, shared with the faults' solve.py.

The TLS Secret is made at solve time from a fresh self-signed certificate, so no private key is ever stored.
"""

import time

from checkers.solving import tls_secret

PORT_TAKEN = "already allocated"  # a fixed nodePort still held by a Service being deleted (a reset)


def setup(kubectl, manifest: str = "ftps.yaml", secret_type: str = "kubernetes.io/tls") -> None:
    """The TLS Secret (unless there is one), then the server and its Service, and wait for the server."""
    if not kubectl("get", "secret", "ftps-tls", "--ignore-not-found", "-o", "name"):
        kubectl.apply(tls_secret("ftps-tls", "ftps.kubelab.local", secret_type))
    apply_when_ports_are_free(kubectl, "apply", "-f", manifest)
    kubectl("rollout", "status", "deployment/ftps-server", "--timeout=120s")


def apply_when_ports_are_free(kubectl, *args: str, stdin: str | None = None, seconds: float = 90) -> None:
    """Run ``kubectl *args``, retrying while the fixed nodePorts are still held by a Service being deleted."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            kubectl(*args, stdin=stdin)
            return
        except Exception as exc:  # ActionFailed: kubectl's words say whether a port was still taken
            if PORT_TAKEN not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(2)
