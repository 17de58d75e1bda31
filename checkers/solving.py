"""Helpers for the labs' reference solutions (``solve.py``): the writes an administrator would make.

Used by solution and fault scripts only, through the ``kubectl`` they are given; checks never use them.
"""

from __future__ import annotations

import base64
import datetime
import json
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import clusters.base

from .kube import BURST

DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"


def tls_secret(name: str, common_name: str, secret_type: str = "kubernetes.io/tls") -> dict:
    """A Secret ``name`` holding a fresh self-signed certificate for ``common_name`` (one year) and its key.

    Made at solve time, so no private key is ever stored in the repository.
    """
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


def has_default_storage_class(kubectl) -> bool:
    classes = json.loads(kubectl("get", "storageclasses", "-o", "json", namespaced=False))["items"]
    return any((c["metadata"].get("annotations") or {}).get(DEFAULT_CLASS) == "true" for c in classes)


def has_data_plane(kubectl) -> bool:
    """Whether some node really runs containers (KWOK's simulated nodes carry kwok.x-k8s.io/node)."""
    return clusters.base.has_data_plane(json.loads(kubectl("get", "nodes", "-o", "json", namespaced=False))["items"])


def reserve_volume(kubectl, claim: str, size: str, storage_class: str = "", labels: dict | None = None) -> None:
    """A hostPath PersistentVolume reserved for ``claim``; a Released one left by an earlier run is replaced."""
    name = f"{claim}-{kubectl.namespace}"
    if kubectl("get", "pv", name, "--ignore-not-found", "-o", "jsonpath={.status.phase}",
               namespaced=False) == "Released":
        kubectl("delete", "pv", name, "--wait=true", namespaced=False)
    kubectl.apply({
        "apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name, "labels": labels or {}},
        "spec": {"storageClassName": storage_class, "capacity": {"storage": size}, "accessModes": ["ReadWriteOnce"],
                 "persistentVolumeReclaimPolicy": "Retain",
                 "claimRef": {"namespace": kubectl.namespace, "name": claim},
                 "hostPath": {"path": f"/data/kubelab/{kubectl.namespace}/{claim}", "type": "DirectoryOrCreate"}},
    })


def let_pods_age() -> None:
    """Wait as long as a learner reads the output: checks tell the pods a ReplicaSet made to replace lost ones from
    its first pods by when they were made (durable, unlike Events; ``kube.replacements``)."""
    time.sleep(BURST + 1)
