"""The steps of the reference solution, shared with the faults' solve.py.

The TLS Secret is made at solve time from a fresh self-signed certificate, so no private key is ever stored.
"""

import base64
import datetime
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

PORT_TAKEN = "already allocated"  # a fixed nodePort still held by a Service being deleted (a reset)


def tls_secret(name: str, common_name: str, secret_type: str = "kubernetes.io/tls") -> dict:
    """A Secret ``name`` holding a fresh self-signed certificate for ``common_name`` (one year) and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=365))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName(common_name)]), critical=False)
                   .sign(key, hashes.SHA256()))
    pem = {"tls.crt": certificate.public_bytes(serialization.Encoding.PEM),
           "tls.key": key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                        serialization.NoEncryption())}
    return {"apiVersion": "v1", "kind": "Secret", "type": secret_type, "metadata": {"name": name},
            "data": {k: base64.b64encode(v).decode() for k, v in pem.items()}}


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
