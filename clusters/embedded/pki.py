"""Certificates for one embedded cluster, made with it and kept for its life (a restart reuses them).

One CA signs the API server's serving certificate and the admin client
certificate (``O=system:masters``); a separate RSA key signs ServiceAccount
tokens. As kubeadm does, etcd has its own CA: it signs etcd's serving/peer
certificate and the API server's etcd client certificate, and etcd accepts no
client (nor peer) without one. Files are created owner-readable only.
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


def _write(path: Path, data: bytes) -> None:
    write_atomic(path, data, mode=0o600)


def _ca(common: str):
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common)
    cert = (_builder(name, name, key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    return cert, key
FILES = ("ca.crt", "ca.key", "apiserver.crt", "apiserver.key", "admin.crt", "admin.key", "sa.key", "sa.pub",
         "etcd-ca.crt", "etcd-ca.key", "etcd-server.crt", "etcd-server.key", "apiserver-etcd-client.crt",
         "apiserver-etcd-client.key")


FRONT_PROXY = ("front-proxy-ca.crt", "front-proxy-client.crt", "front-proxy-client.key")
FRONT_PROXY_CLIENT = "front-proxy-client"


def paths(directory: Path) -> dict[str, Path]:
    """The files ``generate`` wrote into ``directory``, by name (the front proxy's made now if missing)."""
    front_proxy(directory)
    return {name: directory / name for name in FILES + FRONT_PROXY}


def front_proxy(directory: Path) -> None:
    """As kubeadm does, a CA of its own for the API server's front proxy: the aggregator presents its client
    certificate to extension API servers (metrics-server), which believe the user it names only from it.
    Made once; a cluster made before it existed gets it at its next start."""
    if all((directory / name).is_file() for name in FRONT_PROXY) or not (directory / "ca.key").is_file():
        return
    ca, ca_key = _ca("kubelab-front-proxy-ca")
    files = {"front-proxy-ca.crt": _pem_cert(ca)}  # its key is not kept: nothing else is ever signed with it
    files.update(_leaf("front-proxy-client", _name(FRONT_PROXY_CLIENT), [ExtendedKeyUsageOID.CLIENT_AUTH],
                       ca, ca_key))
    for name, data in files.items():
        write_atomic(directory / name, data, mode=0o600)


def generate(directory: Path) -> dict[str, Path]:
    """Write ca.crt, apiserver.crt/key, admin.crt/key, sa.key/pub, and etcd's etcd-ca.crt, etcd-server.crt/key
    and apiserver-etcd-client.crt/key; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    ca, ca_key = _ca("kubelab-ca")
    files = {"ca.crt": _pem_cert(ca), "ca.key": _pem_key(ca_key)}
    files.update(_leaf("apiserver", _name("kube-apiserver"), [ExtendedKeyUsageOID.SERVER_AUTH], ca, ca_key,
                       sans=True))
    files.update(_leaf("admin", _name("kubernetes-admin", "system:masters"), [ExtendedKeyUsageOID.CLIENT_AUTH],
                       ca, ca_key))
    etcd_ca, etcd_ca_key = _ca("kubelab-etcd-ca")
    files.update({"etcd-ca.crt": _pem_cert(etcd_ca), "etcd-ca.key": _pem_key(etcd_ca_key)})
    both = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]  # serving, and peer to itself
    files.update(_leaf("etcd-server", _name("kubelab-etcd"), both, etcd_ca, etcd_ca_key, sans=True))
    files.update(_leaf("apiserver-etcd-client", _name("kube-apiserver-etcd-client"),
                       [ExtendedKeyUsageOID.CLIENT_AUTH], etcd_ca, etcd_ca_key))
    sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    files["sa.key"] = _pem_key(sa_key)
    files["sa.pub"] = sa_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)
    for name, data in files.items():
        write_atomic(directory / name, data, mode=0o600)
    return paths(directory)


def issue(directory: Path, stem: str, common: str, org: str | None = None, server: bool = False,
          names: tuple[str, ...] = (), ips: tuple[str, ...] = ()) -> tuple[Path, Path]:
    """Sign ``<stem>.crt``/``.key`` with the cluster CA in ``directory``: a client certificate, or a
    serving one with the given SANs; return their paths."""
    ca = x509.load_pem_x509_certificate((directory / "ca.crt").read_bytes())
    ca_key = serialization.load_pem_private_key((directory / "ca.key").read_bytes(), password=None)
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    for name, data in _leaf(stem, _name(common, org), [usage], ca, ca_key, sans=(names, ips) if server else None).items():
        _write(directory / name, data)
    return directory / f"{stem}.crt", directory / f"{stem}.key"


def _leaf(stem: str, subject: x509.Name, usages: list, ca: x509.Certificate, ca_key, sans=None) -> dict:
    """A leaf certificate; ``sans`` is True for the API server's names, or (names, ips)."""
    key = ec.generate_private_key(ec.SECP256R1())
    builder = _builder(subject, ca.subject, key.public_key()).add_extension(
        x509.ExtendedKeyUsage(usages), critical=False)
    if sans:
        dns, ips = (SERVER_NAMES, SERVER_IPS) if sans is True else sans
        names = [x509.DNSName(n) for n in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    return {f"{stem}.crt": _pem_cert(cert), f"{stem}.key": _pem_key(key)}
