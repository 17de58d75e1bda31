"""The steps of the reference solution, shared by solve.py and the faults that change one of them.

The administrator's part first (a self-signed certificate in a TLS Secret; a PersistentVolume per claim
when the cluster has no default StorageClass to provision them), then the stack, then the exercises:
install WordPress and kill nginx's main process (where containers really run), and delete the
database pod so that a new one starts on the same claim.
"""

import datetime
import json
import time
from pathlib import Path

import yaml

HERE = Path(__file__).parent
TLS_SECRET = "capstone-tls"
DEPLOYMENTS = ("capstone-mysql", "capstone-influxdb", "capstone-phpmyadmin", "capstone-wordpress",
               "capstone-ftps", "capstone-grafana", "capstone-nginx")
INSTALL_WORDPRESS = (
    "define('WP_INSTALLING', true); $_SERVER['HTTP_HOST'] = 'localhost'; require '/var/www/html/wp-load.php';"
    " require_once ABSPATH . 'wp-admin/includes/upgrade.php';"
    " if (!is_blog_installed()) wp_install('Capstone', 'admin', 'admin@example.com', true, '', wp_generate_password());"
)


def prepare(kubectl):
    """The certificate and, on a cluster without a default StorageClass, the volumes."""
    ensure_tls_secret(kubectl)
    if not has_default_storage_class(kubectl):
        for claim, size in claims():
            make_volume(kubectl, claim, size)


def apply_and_wait(kubectl, wait_for=DEPLOYMENTS):
    kubectl("apply", "-f", ".")
    for name in wait_for:
        kubectl("rollout", "status", f"deployment/{name}", "--timeout=170s")


def exercises(kubectl):
    """Where containers run: install WordPress, then kill nginx's main process and wait for its return."""
    if not has_data_plane(kubectl):
        return
    kubectl("exec", "deployment/capstone-wordpress", "--", "php", "-r", INSTALL_WORDPRESS)
    kubectl("exec", "deployment/capstone-nginx", "--", "kill", "1")
    time.sleep(3)
    kubectl("wait", "--for=condition=Ready", "pod", "-l", "app=capstone-nginx", "--timeout=120s")


def restart_database(kubectl):
    """Delete the MySQL pod; its Deployment starts a new one on the same claim."""
    time.sleep(1)  # the new pod must be visibly younger than what was written before (timestamps count seconds)
    kubectl("delete", "pod", "-l", "app=capstone-mysql", "--wait=true")
    kubectl("rollout", "status", "deployment/capstone-mysql", "--timeout=170s")


def ensure_tls_secret(kubectl):
    if kubectl("get", "secret", TLS_SECRET, "--ignore-not-found", "-o", "name"):
        return
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "capstone.local")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + datetime.timedelta(days=365)).sign(key, hashes.SHA256()))
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    kubectl.apply({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                   "metadata": {"name": TLS_SECRET},
                   "stringData": {"tls.crt": certificate.public_bytes(serialization.Encoding.PEM).decode(),
                                  "tls.key": pem_key.decode()}})


def claims():
    """(name, size) of every PersistentVolumeClaim in the manifests."""
    for file in sorted(HERE.glob("*.yaml")):
        for doc in yaml.safe_load_all(file.read_text()):
            if doc and doc["kind"] == "PersistentVolumeClaim":
                yield doc["metadata"]["name"], doc["spec"]["resources"]["requests"]["storage"]


def has_default_storage_class(kubectl) -> bool:
    classes = json.loads(kubectl("get", "storageclasses", "-o", "json", namespaced=False))["items"]
    return any((c["metadata"].get("annotations") or {}).get("storageclass.kubernetes.io/is-default-class") == "true"
               for c in classes)


def make_volume(kubectl, claim: str, size: str):
    """A hostPath PersistentVolume reserved for ``claim``; a Released one left by an earlier run is replaced."""
    name = f"{claim}-{kubectl.namespace}"
    if kubectl("get", "pv", name, "--ignore-not-found", "-o", "jsonpath={.status.phase}") == "Released":
        kubectl("delete", "pv", name, "--wait=true")
    kubectl.apply({
        "apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name},
        "spec": {"storageClassName": "", "capacity": {"storage": size}, "accessModes": ["ReadWriteOnce"],
                 "persistentVolumeReclaimPolicy": "Retain",
                 "claimRef": {"namespace": kubectl.namespace, "name": claim},
                 "hostPath": {"path": f"/data/kubelab/{kubectl.namespace}/{claim}", "type": "DirectoryOrCreate"}},
    })


def has_data_plane(kubectl) -> bool:
    """Whether some node really runs containers (KWOK's simulated nodes carry kwok.x-k8s.io/node)."""
    nodes = json.loads(kubectl("get", "nodes", "-o", "json", namespaced=False))["items"]
    return any("kwok.x-k8s.io/node" not in (n["metadata"].get("annotations") or {}) for n in nodes)
