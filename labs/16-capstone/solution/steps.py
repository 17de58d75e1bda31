"""The steps of the reference solution, shared by solve.py and the faults that change one of them.

The images are built beforehand (the lesson's build cell; on a cluster whose containers do not run, any name
does). The administrator's part first (a self-signed certificate in a TLS Secret; a PersistentVolume per claim
when the cluster has no default StorageClass to provision them), then the stack, then the exercises:
install WordPress and kill nginx's main process (where containers really run), and delete the
database pod so that a new one starts on the same claim.
"""

import time
from pathlib import Path

import yaml

from checkers.solving import has_data_plane, has_default_storage_class, reserve_volume, tls_secret

HERE = Path(__file__).parent
TLS_SECRET = "capstone-tls"
DEPLOYMENTS = ("capstone-mysql", "capstone-influxdb", "capstone-phpmyadmin", "capstone-wordpress",
               "capstone-ftps", "capstone-grafana", "capstone-nginx", "capstone-telegraf")
INSTALL_WORDPRESS = (
    "define('WP_INSTALLING', true); $_SERVER['HTTP_HOST'] = 'localhost'; require '/var/www/html/wp-load.php';"
    " require_once ABSPATH . 'wp-admin/includes/upgrade.php';"
    " if (!is_blog_installed()) wp_install('Capstone', 'admin', 'admin@example.com', true, '', wp_generate_password());"
)


def prepare(kubectl):
    """The certificate and, on a cluster without a default StorageClass, the volumes."""
    if not kubectl("get", "secret", TLS_SECRET, "--ignore-not-found", "-o", "name"):
        kubectl.apply(tls_secret(TLS_SECRET, "capstone.local"))
    if not has_default_storage_class(kubectl):
        for claim, size in claims():
            reserve_volume(kubectl, claim, size)


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
    # the new pod must be visibly younger than what was written before (timestamps count seconds), and made
    # later than the burst in which its ReplicaSet made its first pods (checkers.kube.BURST): a replacement
    time.sleep(6)
    kubectl("delete", "pod", "-l", "app=capstone-mysql", "--wait=true")
    kubectl("rollout", "status", "deployment/capstone-mysql", "--timeout=170s")


def claims():
    """(name, size) of every PersistentVolumeClaim in the manifests."""
    for file in sorted(HERE.glob("*.yaml")):
        for doc in yaml.safe_load_all(file.read_text()):
            if doc and doc["kind"] == "PersistentVolumeClaim":
                yield doc["metadata"]["name"], doc["spec"]["resources"]["requests"]["storage"]
