"""Certificates for one embedded cluster, made with it and kept for its life (a restart reuses them).

One CA signs the API server's serving certificate and the admin client
certificate (``O=system:masters``); a separate RSA key signs ServiceAccount
tokens. Files are written owner-readable only.
"""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..files import write_atomic

VALIDITY = datetime.timedelta(days=365)
SERVER_NAMES = ("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local")
SERVER_IPS = ("127.0.0.1", "10.96.0.1")


def _name(common: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common)]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _builder(subject: x509.Name, issuer: x509.Name, public_key) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + VALIDITY))


FILES = ("ca.crt", "ca.key", "apiserver.crt", "apiserver.key", "admin.crt", "admin.key", "sa.key", "sa.pub")


def paths(directory: Path) -> dict[str, Path]:
    """The files ``generate`` wrote into ``directory``, by name."""
    return {name: directory / name for name in FILES}


def generate(directory: Path) -> dict[str, Path]:
    """Write ca.crt, apiserver.crt/key, admin.crt/key and sa.key/pub; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("kubelab-ca")
    ca = (_builder(ca_name, ca_name, ca_key.public_key())
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    files = {"ca.crt": _pem_cert(ca), "ca.key": _pem_key(ca_key)}
    files.update(_leaf("apiserver", _name("kube-apiserver"), ExtendedKeyUsageOID.SERVER_AUTH, ca, ca_key, sans=True))
    files.update(_leaf("admin", _name("kubernetes-admin", "system:masters"), ExtendedKeyUsageOID.CLIENT_AUTH,
                       ca, ca_key))
    sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    files["sa.key"] = _pem_key(sa_key)
    files["sa.pub"] = sa_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)
    for name, data in files.items():
        write_atomic(directory / name, data, mode=0o600)
    return paths(directory)


def _leaf(stem: str, subject: x509.Name, usage, ca: x509.Certificate, ca_key, sans: bool = False) -> dict:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = _builder(subject, ca.subject, key.public_key()).add_extension(
        x509.ExtendedKeyUsage([usage]), critical=False)
    if sans:
        names = [x509.DNSName(n) for n in SERVER_NAMES] + [x509.IPAddress(ipaddress.ip_address(i)) for i in SERVER_IPS]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    return {f"{stem}.crt": _pem_cert(cert), f"{stem}.key": _pem_key(key)}
