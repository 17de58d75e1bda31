"""Dynamic volumes on the real node: rancher's local-path-provisioner behind the default StorageClass.

The provisioner (built from its Go module, Apache-2.0) runs beside the node's
other processes with its own certificate. A claim of the class ``standard``
(the name minikube's default class has) waits for its first pod
(``WaitForFirstConsumer``, as kind's class does); the provisioner then runs a
busybox helper pod on the real node that makes the claim's folder under
``<state>/volumes``, and a hostPath PersistentVolume pinned to that node. The
data is the cluster's: ``kubelab down`` keeps it, ``kubelab down --purge``
deletes it with the state folder. The class's ``allowedTopologies`` keep such
claims off the KWOK nodes, which have no disk.
"""

from __future__ import annotations

import json
from pathlib import Path

NAMESPACE = "kube-system"
CLASS = "standard"
PROVISIONER = "rancher.io/local-path"
CONFIG_MAP = "local-path-config"
USER = "system:local-path-provisioner"
HELPER_IMAGE = "busybox:1.37"
HELPER_RECIPE = "busybox"  # the image recipe (images.py) that makes HELPER_IMAGE

RULES = [
    {"apiGroups": [""], "resources": ["nodes", "persistentvolumeclaims", "configmaps", "pods", "pods/log"],
     "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["persistentvolumes"], "verbs": ["get", "list", "watch", "create", "delete",
                                                                       "patch", "update"]},
    {"apiGroups": [""], "resources": ["persistentvolumeclaims"], "verbs": ["update", "patch"]},
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["create", "delete"]},
    {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch", "update"]},
    {"apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": ["create", "patch", "update"]},
    {"apiGroups": ["storage.k8s.io"], "resources": ["storageclasses"], "verbs": ["get", "list", "watch"]},
]

SETUP = '#!/bin/sh\nset -eu\nmkdir -m 0777 -p "$VOL_DIR"\n'
TEARDOWN = '#!/bin/sh\nset -eu\nrm -rf "$VOL_DIR"\n'
HELPER_POD = """apiVersion: v1
kind: Pod
metadata:
  name: helper-pod
spec:
  automountServiceAccountToken: false
  terminationGracePeriodSeconds: 0
  containers:
  - name: helper-pod
    image: {image}
    imagePullPolicy: IfNotPresent
"""


def volumes_dir(home: Path) -> Path:
    """Where claims' data lives: in the cluster's state folder, so `down --purge` deletes it."""
    return home / "volumes"


def objects(home: Path, node: str, label: str) -> list[dict]:
    """Everything the provisioner needs in the API, in the order to apply them."""
    config = {"nodePathMap": [{"node": node, "paths": [str(volumes_dir(home))]}]}
    return [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": USER},
         "rules": RULES},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": USER},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": USER},
         "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": USER}]},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": CONFIG_MAP, "namespace": NAMESPACE},
         "data": {"config.json": json.dumps(config), "setup": SETUP, "teardown": TEARDOWN,
                  "helperPod.yaml": HELPER_POD.format(image=HELPER_IMAGE)}},
        {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
         "metadata": {"name": CLASS, "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
         "provisioner": PROVISIONER, "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer",
         "allowedTopologies": [{"matchLabelExpressions": [{"key": label, "values": ["true"]}]}]},
    ]


def args(binary: Path, kubeconfig: Path) -> list[str]:
    return [str(binary), "start", f"--kubeconfig={kubeconfig}", f"--namespace={NAMESPACE}",
            f"--configmap-name={CONFIG_MAP}", f"--provisioner-name={PROVISIONER}",
            f"--helper-image={HELPER_IMAGE}", "--service-account-name=default"]
