"""checkers.semantics resolves what Kubernetes resolves: unit tests on raw objects, no cluster needed."""

from __future__ import annotations

import base64
import re

import pytest

from checkers.kube import attached, image_parts, passive_range, pod_running, route_rule
from checkers.registry import Check
from checkers.runner import CheckResult, _settle
from checkers.semantics import (all_containers, claim_unbindable, effective_env, literal_env, mounts_of,
                                never_schedulable, parse_image, plaintext_places, probe, quantity, quota_hard,
                                restricted_violations, same_image, secret_refs, secret_values, service_chain,
                                target_port, workload_pods)


class FakeView:
    """The read side of ClusterView over a dict of lists."""

    namespace = "ns"

    def __init__(self, **kinds):
        self.kinds = {k: [self._meta(o) for o in v] for k, v in kinds.items()}

    @staticmethod
    def _meta(obj):
        obj.setdefault("metadata", {}).setdefault("namespace", "ns")
        return obj

    def list(self, kind):
        return self.kinds.get(kind, [])

    def get(self, kind, name):
        return next((o for o in self.list(kind) if o["metadata"]["name"] == name), None)

    def refresh(self):
        pass


def _b64(text):
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize("reference", ["nginx:1.27", "docker.io/library/nginx:1.27",
                                       "index.docker.io/library/nginx:1.27", "mirror.gcr.io/library/nginx:1.27",
                                       "public.ecr.aws/docker/library/nginx:1.27", "docker.io/nginx:1.27"])
def test_the_official_image_from_any_registry_is_nginx(reference):
    assert image_parts(reference) == ("nginx", "1.27")
    assert same_image(reference, "nginx")


def test_image_references_keep_other_registries_tags_and_digests():
    assert image_parts("registry.k8s.io/pause:3.9") == ("registry.k8s.io/pause", "3.9")
    assert same_image("k8s.gcr.io/pause", "registry.k8s.io/pause")
    assert not same_image("bitnami/nginx", "nginx")
    assert image_parts("localhost:5000/app") == ("localhost:5000/app", "latest")
    assert image_parts("nginx@sha256:abc") == ("nginx", "@sha256:abc")
    assert parse_image("nginx:1.27@sha256:abc").digest == "sha256:abc"


def test_quantities_and_quota_key_equivalents():
    assert quantity("2") == quantity("2000m") and quantity("1Gi") == quantity("1024Mi")
    assert quantity("lots") is None and quantity(None) is None
    quota = {"spec": {"hard": {"cpu": "2", "memory": "1Gi", "limits.cpu": "4"}}}
    assert quota_hard(quota, source="spec") == {"requests.cpu": "2", "requests.memory": "1Gi", "limits.cpu": "4"}


def test_native_sidecars_are_containers_of_the_pod():
    pod = {"spec": {"containers": [{"name": "web"}], "initContainers": [
        {"name": "writer", "restartPolicy": "Always"}, {"name": "setup"}]}}
    assert [c["name"] for c in all_containers(pod)] == ["web", "writer"]
    assert [c["name"] for c in all_containers({"spec": {"template": pod}})] == ["web", "writer"]


def test_effective_env_resolves_envfrom_valuefrom_and_precedence():
    view = FakeView(configmaps=[{"metadata": {"name": "cfg"}, "data": {"APP_MODE": "prod", "X": "1"}}],
                    secrets=[{"metadata": {"name": "db"}, "data": {"password": _b64("s3cr3t-value")}}])
    container = {"envFrom": [{"configMapRef": {"name": "cfg"}}, {"secretRef": {"name": "db"}, "prefix": "DB_"},
                             {"configMapRef": {"name": "gone"}}],
                 "env": [{"name": "X", "value": "2"},
                         {"name": "PASS", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]}
    env, missing = effective_env(container, view)
    assert env["APP_MODE"].kind == "configMap" and env["APP_MODE"].value == "prod"
    assert env["X"].kind == "value" and env["X"].value == "2"
    assert env["DB_password"].kind == "secret" and env["DB_password"].value is None
    assert (env["PASS"].kind, env["PASS"].source, env["PASS"].key) == ("secret", "db", "password")
    assert "DB_PASSWORD" not in env and missing == ["configMap/gone"]


def test_projected_volumes_and_mounts():
    pod = {"spec": {"volumes": [{"name": "all", "projected": {"sources": [{"configMap": {"name": "cfg"}},
                                                                         {"secret": {"name": "tls"}}]}}],
                    "containers": [{"name": "web", "volumeMounts": [{"name": "all", "mountPath": "/etc/app/"}]}]}}
    assert [m.path for m in mounts_of(pod, "configMap", "cfg")] == ["/etc/app"]
    assert mounts_of(pod, "secret", "tls") and not mounts_of(pod, "secret", "other")


def test_named_target_port_resolves_against_the_pod():
    pod = {"spec": {"containers": [{"ports": [{"name": "http", "containerPort": 8080}]}]}}
    assert target_port({"port": 80, "targetPort": "http"}, pod) == 8080
    assert target_port({"port": 80}, pod) == 80
    assert target_port({"port": 80, "targetPort": "web"}, pod) is None
    assert target_port({"port": 80, "targetPort": "http", "protocol": "UDP"}, pod) is None


def test_service_chain_reports_pods_of_another_app():
    deployment = {"metadata": {"name": "web", "uid": "d"}, "spec": {"template": {}}}
    rs = {"metadata": {"name": "web-1", "uid": "r", "ownerReferences": [{"uid": "d"}]}}
    mine = {"metadata": {"name": "web-1-a", "uid": "p1", "labels": {"tier": "front", "app": "web"},
                         "ownerReferences": [{"uid": "r"}]},
            "spec": {"containers": [{"ports": [{"containerPort": 80}]}]}}
    other = {"metadata": {"name": "shop", "uid": "p2", "labels": {"tier": "front"}}, "spec": {}}
    view = FakeView(pods=[mine, other], replicasets=[rs], endpointslices=[])
    chain = service_chain(view, {"metadata": {"name": "s"}, "spec": {"selector": {"tier": "front"},
                                                                     "ports": [{"port": 80}]}}, deployment)
    assert [p["metadata"]["name"] for p in chain.foreign] == ["shop"]
    assert workload_pods(view, deployment) == [mine]


def test_a_pod_for_a_missing_node_or_label_can_never_be_scheduled():
    view = FakeView(nodes=[{"metadata": {"name": "n1", "labels": {"zone": "a"}}}])
    assert never_schedulable(view, {"spec": {"containers": [{}], "nodeName": "n9"}})
    assert never_schedulable(view, {"spec": {"containers": [{}], "nodeSelector": {"disktype": "ssd"}}})
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]}]}}}
    assert never_schedulable(view, {"spec": {"containers": [{}], "affinity": affinity}})
    assert never_schedulable(view, {"spec": {"containers": [{}], "nodeSelector": {"zone": "a"}}}) is None


def test_a_claim_nothing_can_satisfy_is_unbindable():
    claim = {"metadata": {"name": "data", "namespace": "ns"}, "status": {"phase": "Pending"},
             "spec": {"storageClassName": "manual", "accessModes": ["ReadWriteOnce"],
                      "resources": {"requests": {"storage": "1Gi"}}}}
    small = {"metadata": {"name": "pv"}, "status": {"phase": "Available"},
             "spec": {"storageClassName": "manual", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "512Mi"}}}
    assert claim_unbindable(FakeView(persistentvolumes=[small], storageclasses=[]), claim)
    big = {**small, "spec": {**small["spec"], "capacity": {"storage": "2Gi"}}}
    assert claim_unbindable(FakeView(persistentvolumes=[big], storageclasses=[]), claim) is None
    reserved = {"metadata": {"name": "pv"}, "status": {"phase": "Available"},  # claimRef binds it, class aside
                "spec": {**big["spec"], "storageClassName": "other", "claimRef": {"name": "data", "namespace": "ns"}}}
    assert claim_unbindable(FakeView(persistentvolumes=[reserved], storageclasses=[]), claim) is None
    provisioner = {"metadata": {"name": "manual"}, "provisioner": "rancher.io/local-path"}
    assert claim_unbindable(FakeView(persistentvolumes=[], storageclasses=[provisioner]), claim) is None


def test_secret_values_found_inside_larger_texts():
    view = FakeView(secrets=[{"metadata": {"name": "db"}, "data": {"password": _b64("correct-horse-battery"),
                                                                   "user": _b64("app")}}],
                    configmaps=[{"metadata": {"name": "cfg"}, "data": {"dsn": "mysql://app:correct-horse-battery@db"}}])
    secrets = secret_values(view)
    assert secrets == {"correct-horse-battery"}
    workload = {"metadata": {"name": "web", "annotations": {"note": "pw correct-horse-battery"}},
                "spec": {"template": {"spec": {"containers": [
                    {"name": "c", "args": ["--password=correct-horse-battery"],
                     "env": [{"name": "URL", "value": "x:correct-horse-battery"}]}]}}}}
    places = [leak.place for leak in plaintext_places(view, [workload], secrets)]
    assert places == ["web: annotation note", "web: env URL", "web: c command", "ConfigMap cfg: dsn"]


def test_passive_range_from_literals_or_configmaps():
    view = FakeView(configmaps=[{"metadata": {"name": "ftp"}, "data": {"MIN_PORT": "30030", "MAX_PORT": "30034"}}])
    env, _ = effective_env({"envFrom": [{"configMapRef": {"name": "ftp"}}]}, view)
    assert passive_range(env) == range(30030, 30035)
    env, _ = effective_env({"env": [{"name": "FTP_PASSIVE_PORTS", "value": "21000:21010"}]})
    assert passive_range(env) == range(21000, 21011)


def test_an_impossible_pod_fails_at_once_instead_of_settling():
    pod = {"metadata": {"name": "web"}, "spec": {"containers": [{}], "nodeSelector": {"disktype": "ssd"}},
           "status": {"phase": "Pending"}}
    view = FakeView(pods=[pod], nodes=[{"metadata": {"name": "n1"}}])
    outcome = pod_running(view, "web")
    assert outcome.status == "fail" and not outcome.settling and "disktype=ssd" in outcome.params["detail"]
    slow = CheckResult(Check("c", "t", lambda ctx: outcome, settle=3600), outcome)
    _settle([slow], type("Ctx", (), {"view": view})())  # returns at once: nothing is settling
    assert slow.outcome.status == "fail"


@pytest.mark.parametrize(("spec", "kind", "port", "budget"), [
    ({"httpGet": {"path": "/", "port": "http"}}, "httpGet", 80, 30),  # a named port, the defaults (3 x 10 s)
    ({"tcpSocket": {"port": 80}, "periodSeconds": 5, "failureThreshold": 12}, "tcpSocket", 80, 60),
    ({"grpc": {"port": 9090}, "initialDelaySeconds": 10, "periodSeconds": 5, "failureThreshold": 4}, "grpc", 9090, 30),
    ({"exec": {"command": ["cat", "/tmp/healthy"]}, "periodSeconds": "5"}, "exec", None, 30),  # a bad value: default
    ({"httpGet": {"port": "htpp"}}, "httpGet", None, 30),  # a name no container port carries
])
def test_probe_resolves_handler_port_and_budget(spec, kind, port, budget):
    container = {"name": "web", "ports": [{"name": "http", "containerPort": 80}], "readinessProbe": spec}
    found = probe(container, "readinessProbe")
    assert (found.kind, found.port, found.budget) == (kind, port, budget)
    assert probe(container, "livenessProbe") is None and probe({"readinessProbe": "x"}, "readinessProbe") is None


RESTRICTED_POD = {"spec": {
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "volumes": [{"name": "tmp", "emptyDir": {}}],
    "containers": [{"name": "app", "securityContext": {"allowPrivilegeEscalation": False,
                                                       "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}]}}


def _changed(pod_sc=None, container_sc=None, **spec):
    pod = {"spec": {**RESTRICTED_POD["spec"], **spec}}
    pod["spec"]["securityContext"] = {**RESTRICTED_POD["spec"]["securityContext"], **(pod_sc or {})}
    container = RESTRICTED_POD["spec"]["containers"][0]
    pod["spec"]["containers"] = [{**container, "securityContext": {**container["securityContext"], **(container_sc or {})}}]
    return pod


@pytest.mark.parametrize(("pod", "controls"), [
    (RESTRICTED_POD, []),
    ({"spec": {"template": {"spec": RESTRICTED_POD["spec"]}}}, []),  # a workload's template
    (_changed(container_sc={"capabilities": {"drop": ["all"]}}), ["capabilities"]),  # names are case-sensitive
    (_changed(container_sc={"capabilities": {"drop": ["ALL"], "add": ["CHOWN"]}}), ["capabilities"]),
    (_changed(container_sc={"runAsNonRoot": False}), ["runAsNonRoot"]),  # the container wins over the pod
    (_changed(pod_sc={"runAsNonRoot": None}, container_sc={"runAsNonRoot": True}), []),
    (_changed(container_sc={"allowPrivilegeEscalation": None}), ["allowPrivilegeEscalation"]),
    (_changed(pod_sc={"seccompProfile": None}), ["seccompProfile"]),
    (_changed(pod_sc={"seccompProfile": None}, container_sc={"seccompProfile": {"type": "Localhost"}}), []),
    (_changed(pod_sc={"seccompProfile": {"type": "Unconfined"}},
              container_sc={"seccompProfile": {"type": "RuntimeDefault"}}), ["seccompProfile"]),
    (_changed(pod_sc={"runAsUser": 0}), ["runAsUser"]),
    (_changed(hostNetwork=True, volumes=[{"name": "host", "hostPath": {"path": "/"}}]), ["hostNamespaces", "volumes"]),
    (_changed(container_sc={"privileged": True}), ["privileged"]),
])
def test_restricted_violations_follow_the_pod_security_standard(pod, controls):
    assert [control for control, _ in restricted_violations(pod)] == controls
    assert restricted_violations(None) == [] and restricted_violations({"spec": "x"}) == []


COPIES = ("def _dig(", "def _serving(", "def _decoded(", "def _secret_values(", "def _size(", "Created pod:",
          "checkers.probes.common", "checkers.probes.", "parse_quantity", "b64decode", "def _no_object(", "def _secret_uses(",
          "def _secrets_used(", "secretKeyRef\")",
          "N_(\"There is no {kind} called", "N_(\"There is no Deployment called", "N_(\"There is no Service called")


def test_secret_references_and_literal_sensitive_variables():
    pod = {"spec": {
        "volumes": [{"name": "tls", "secret": {"secretName": "cert"}}, {"name": "unused", "secret": {"secretName": "x"}},
                    {"name": "both", "projected": {"sources": [{"secret": {"name": "p"}}, {"configMap": {"name": "c"}}]}}],
        "initContainers": [{"name": "init", "env": [{"name": "DB_PASSWORD", "value": "hunter2"}]}],
        "containers": [{"name": "app", "volumeMounts": [{"name": "tls", "mountPath": "/tls"},
                                                        {"name": "both", "mountPath": "/p"}],
                        "envFrom": [{"secretRef": {"name": "all"}}, {"configMapRef": {"name": "c"}}],
                        "env": [{"name": "USER", "valueFrom": {"secretKeyRef": {"name": "db", "key": "user"}}},
                                {"name": "API_TOKEN", "value": ""}, {"name": "MODE", "value": "prod"}]}]}}
    assert secret_refs(pod) == [("cert", None), ("p", None), ("all", None), ("db", "user")]  # x is never mounted
    assert literal_env(pod, re.compile("PASSWORD|TOKEN")) == [("DB_PASSWORD", "hunter2")]  # empty values are none
    assert secret_refs({"spec": "broken"}) == [] and literal_env(None, re.compile("X")) == []


def test_no_lab_keeps_its_own_copy_of_a_shared_helper():
    from checkers.lab import all_labs

    for lab in all_labs():
        source = (lab.path / "checks.py").read_text(encoding="utf-8")
        assert not [c for c in COPIES if c in source], f"{lab.id}: use checkers.semantics / checkers.kube"


def test_a_route_rule_for_a_header_never_takes_a_plain_request():
    """Gateway API precedence for the request a check sends (a plain GET): a rule whose match needs a header, a
    query parameter or another method is not a candidate, whatever its place in the list."""
    test = {"matches": [{"headers": [{"name": "traffic", "value": "test"}]}], "backendRefs": [{"name": "new"}]}
    post = {"matches": [{"method": "POST"}], "backendRefs": [{"name": "new"}]}
    plain = {"backendRefs": [{"name": "stable"}]}
    route = {"spec": {"rules": [test, post, plain]}}
    assert route_rule([route], "site.example", "/") is plain
    assert route_rule([{"spec": {"rules": [test]}}], "site.example", "/") is None


def test_a_parent_ref_attaches_only_to_a_listener_the_gateway_has():
    listeners = [{"name": "http", "port": 8000, "protocol": "HTTP"}]

    def route(**ref):
        return {"spec": {"parentRefs": [{"name": "gw", **ref}]}}

    assert attached(route(), "gw", "ns", listeners)
    assert attached(route(sectionName="http", port=8000), "gw", "ns", listeners)
    assert not attached(route(sectionName="https"), "gw", "ns", listeners)
    assert not attached(route(port=80), "gw", "ns", listeners)
    assert attached(route(sectionName="https"), "gw", "ns")  # listeners unknown: not judged
    assert not attached(route(namespace="other"), "gw", "ns", listeners)
