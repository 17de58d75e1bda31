"""The steps of the reference solution, shared with the faults' solve.py.

First the administrator's part: one PersistentVolume of class kubelab-manual per claim the manifests will
make, reserved for that claim. Then the claim, the app and the database; then the persistence proof: a
nonce recorded in ConfigMap volumes-proof and written through the app's pod (where containers really run),
the pod deleted, and its replacement started on the same claim.
"""

import secrets
import time
from pathlib import Path

import yaml

from checkers.solving import has_data_plane, reserve_volume

HERE = Path(__file__).parent
CLASS = "kubelab-manual"
APP = "deployment/volumes-app"


def setup(kubectl, proof_folder: str = "/usr/share/nginx/html"):
    for claim, size in planned_claims(HERE):
        reserve_volume(kubectl, claim, size, CLASS, {"kubelab.dev/claim-namespace": kubectl.namespace})
    kubectl("apply", "-f", ".")
    kubectl("rollout", "status", APP, "--timeout=120s")
    kubectl("rollout", "status", "statefulset/volumes-db", "--timeout=120s")
    nonce = secrets.token_hex(8)
    kubectl.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "volumes-proof"},
                   "data": {"nonce": nonce}})
    if has_data_plane(kubectl):
        kubectl("exec", APP, "--", "sh", "-c", f"echo {nonce} > {proof_folder}/proof.txt")
    time.sleep(1)  # the replacement must be visibly younger than the proof (timestamps count seconds)
    kubectl("delete", "pod", "-l", "app=volumes-app", "--wait=true")
    kubectl("rollout", "status", APP, "--timeout=120s")


def planned_claims(folder: Path):
    """(name, size) of every claim the manifests make, the StatefulSet's per-replica claims included."""
    for file in sorted(folder.glob("*.yaml")):
        for doc in yaml.safe_load_all(file.read_text()):
            if doc["kind"] == "PersistentVolumeClaim" and doc["spec"].get("storageClassName") == CLASS:
                yield doc["metadata"]["name"], doc["spec"]["resources"]["requests"]["storage"]
            if doc["kind"] == "StatefulSet":
                for template in doc["spec"].get("volumeClaimTemplates", []):
                    for index in range(doc["spec"]["replicas"]):
                        yield (f"{template['metadata']['name']}-{doc['metadata']['name']}-{index}",
                               template["spec"]["resources"]["requests"]["storage"])
