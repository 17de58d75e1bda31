"""The steps of the reference solution, shared with the faults' solve.py: InfluxDB on a claim, Telegraf on
every node, Grafana provisioned; then, where containers really run, the crash test: wait for Telegraf's first
points and delete the InfluxDB pod.

A cluster without a default StorageClass (kubelab's embedded one) gets a hostPath PersistentVolume
reserved for the claim, as an administrator would provide.
"""

import time

from checkers.solving import has_data_plane, has_default_storage_class, reserve_volume

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
