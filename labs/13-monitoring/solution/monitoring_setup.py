"""The steps of the reference solution, shared with the faults' solve.py: InfluxDB on a claim, Telegraf on
every node, Grafana provisioned; then, where containers really run, the crash test: wait for Telegraf's first
points and delete the InfluxDB pod.

A cluster without a default StorageClass (kubelab's embedded one) gets a hostPath PersistentVolume
reserved for the claim, as an administrator would provide.
"""

import json
import time

CLAIM = "monitoring-influxdb-data"
INFLUXDB = "deployment/monitoring-influxdb"


def setup(kubectl):
    if not has_default_storage_class(kubectl):
        reserve_volume(kubectl, CLAIM, "1Gi")
    kubectl("apply", "-f", ".")
    for workload in (INFLUXDB, "deployment/monitoring-grafana", "daemonset/monitoring-telegraf"):
        kubectl("rollout", "status", workload, "--timeout=120s")
    if has_data_plane(kubectl):
        time.sleep(30)  # a few of Telegraf's 10 s rounds reach InfluxDB
        kubectl("delete", "pod", "-l", "app=monitoring-influxdb", "--wait=true")
        kubectl("rollout", "status", INFLUXDB, "--timeout=120s")


def has_default_storage_class(kubectl) -> bool:
    classes = json.loads(kubectl("get", "storageclasses", "-o", "json", namespaced=False))["items"]
    return any((c["metadata"].get("annotations") or {}).get("storageclass.kubernetes.io/is-default-class") == "true"
               for c in classes)


def reserve_volume(kubectl, claim: str, size: str):
    """A hostPath PersistentVolume with no class, reserved for ``claim``; a Released one is replaced."""
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
