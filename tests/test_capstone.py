"""The logic of the checks of 05-services (LoadBalancer), 15-canary and 16-capstone that the embedded cluster
cannot exercise (no data plane, no load balancer), on fake read-only views: the canary's statistics and traffic
count, the crash tests, the shared external IP, the sharing key, and what WordPress still shows."""

from __future__ import annotations

import json
import math

import pytest

from checkers import passed
from checkers.lab import find_lab
from checkers.runner import Context
from clusters.base import Capabilities

CANARY, CAPSTONE = find_lab("15-canary"), find_lab("16-capstone")


class FakeView:
    """The parts of ClusterView the checks use, over fixed objects."""

    def __init__(self, objects: dict[str, list[dict]], proxy=None):
        self.objects, self.proxy, self.namespace = objects, proxy, "ns"

    def list(self, kind):
        return self.objects.get(kind, [])

    def get(self, kind, name):
        return next((o for o in self.list(kind) if o["metadata"]["name"] == name), None)

    def proxy_get(self, kind, name, port, path="/", *, namespace=None, host=None):
        return self.proxy(path, host)


def run(lab, check_id, view):
    return lab.check(check_id).fn(Context(view, "ns", lab, Capabilities(True, True, True, 3, False)))


def module(lab):
    return lab.checks[0].fn.__globals__


# --- 15-canary ------------------------------------------------------------------------------------------------


def test_canary_acceptance_range_holds_all_but_one_in_a_billion_of_a_fair_split():
    """Outside the range lies at most FALSE_ALARM of the binomial distribution of a split done right."""
    globals_ = module(CANARY)
    acceptance, requests, false_alarm = globals_["acceptance"], globals_["REQUESTS"], globals_["FALSE_ALARM"]
    for percent in (1, 10, 50, 100):
        low, high = acceptance(requests, percent)
        p = percent / 100
        outside = sum(math.comb(requests, k) * p ** k * (1 - p) ** (requests - k)
                      for k in range(requests + 1) if not low <= k <= high)
        assert outside <= false_alarm and low <= requests * p <= high, percent
    assert acceptance(requests, 10)[1] < acceptance(requests, 50)[0]  # 10% and 50% can never be confused


def _canary_route(new_weight: int) -> dict[str, list[dict]]:
    route = {"metadata": {"name": "canary-route"}, "spec": {
        "parentRefs": [{"name": "canary-gateway"}], "hostnames": ["hipotecas.example"],
        "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                   "backendRefs": [{"name": "canary-stable", "port": 80, "weight": 100 - new_weight},
                                   {"name": "canary-new", "port": 80, "weight": new_weight}]}]}}
    return {"httproutes": [route]}


@pytest.mark.parametrize(("every", "status"), [(10, "pass"), (100, "fail"), (2, "fail")])
def test_traffic_split_counts_answers_against_the_routes_weights(every, status):
    """The route gives the new version 10%: one answer in ten passes, one in a hundred or one in two fails."""
    calls = {"n": 0}

    def proxy(path, host):
        assert host == "hipotecas.example"
        calls["n"] += 1
        return 200, b"canary-new\n" if calls["n"] % every == 0 else b"canary-stable\n"

    outcome = run(CANARY, "traffic-split", FakeView(_canary_route(10), proxy))
    assert outcome.status == status and calls["n"] == module(CANARY)["REQUESTS"]


def test_traffic_split_without_controller_is_an_error():
    body = json.dumps({"kind": "Status", "apiVersion": "v1", "code": 503}).encode()
    view = FakeView(_canary_route(10), lambda path, host: (503, body))
    assert run(CANARY, "traffic-split", view).status == "error"


# --- 16-capstone ----------------------------------------------------------------------------------------------


def _deployment_with_pod(name: str, pod_status: dict, created="2025-01-01T10:00:00Z") -> dict[str, list[dict]]:
    deployment = {"metadata": {"name": name, "uid": f"d-{name}"}}
    replicaset = {"metadata": {"name": f"{name}-rs", "uid": f"rs-{name}", "ownerReferences": [{"uid": f"d-{name}"}]},
                  "spec": {"replicas": 1}}
    pod = {"metadata": {"name": f"{name}-pod", "creationTimestamp": created,
                        "ownerReferences": [{"uid": f"rs-{name}"}]},
           "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}], **pod_status}}
    return {"deployments": [deployment], "replicasets": [replicaset], "pods": [pod]}


RESTARTED = {"name": "nginx", "restartCount": 1, "lastState": {"terminated": {"reason": "Completed", "exitCode": 0}}}


@pytest.mark.parametrize(("container", "ready", "status"), [
    (RESTARTED, "True", "pass"),
    ({**RESTARTED, "restartCount": 0}, "True", "fail"),
    ({"name": "nginx", "restartCount": 3}, "True", "fail"),  # no terminated last state: not a crash seen
    (RESTARTED, "False", "fail"),  # restarted but not serving again
])
def test_process_restarted(container, ready, status):
    objects = _deployment_with_pod("capstone-nginx", {"containerStatuses": [container]})
    objects["pods"][0]["status"]["conditions"][0]["status"] = ready
    assert run(CAPSTONE, "process-restarted", FakeView(objects)).status == status


def _services(ips: list[str | None]) -> list[dict]:
    names = ("capstone-nginx", "capstone-wordpress", "capstone-phpmyadmin", "capstone-ftps", "capstone-grafana")
    return [{"metadata": {"name": n},
             "spec": {"type": "LoadBalancer", "ports": [{"port": 5000 + i, "nodePort": 31000 + i}]},
             "status": {"loadBalancer": {"ingress": [{"ip": ip}] if ip else []}}}
            for i, (n, ip) in enumerate(zip(names, ips))]


@pytest.mark.parametrize(("ips", "status", "settling"), [
    (["10.0.0.9"] * 5, "pass", False),
    (["10.0.0.9"] * 4 + [None], "fail", True),
    (["10.0.0.9"] * 4 + ["10.0.0.10"], "fail", False),
])
def test_one_external_ip(ips, status, settling):
    outcome = run(CAPSTONE, "one-external-ip", FakeView({"services": _services(ips)}))
    assert (outcome.status, outcome.settling) == (status, settling)


def test_ftps_waits_for_an_external_ip():
    nodes = [{"metadata": {"name": "n"}, "status": {"addresses": [{"type": "InternalIP", "address": "192.0.2.1"}]}}]
    services = _services([None] * 5)
    services[3]["spec"]["ports"] = [{"port": 21, "nodePort": 31021}]
    outcome = run(CAPSTONE, "ftps-login", FakeView({"services": services, "nodes": nodes}))
    assert outcome.status == "fail" and outcome.settling


@pytest.mark.parametrize(("post_date", "status"), [("2025-01-01T09:00:00", "pass"), ("2025-01-01T11:00:00", "fail")])
def test_data_survives_restart_compares_post_and_pod(monkeypatch, post_date, status):
    objects = _deployment_with_pod("capstone-mysql", {}, created="2025-01-01T10:00:00Z")
    objects["services"] = _services(["10.0.0.9"] * 5)
    objects["services"][1]["spec"]["ports"] = [{"port": 5050}]
    asked = []

    def fake_fetcher(base):
        def fetch(path):
            asked.append(base + path)
            return 200, json.dumps([{"id": 1, "date_gmt": post_date}]).encode()
        return fetch

    monkeypatch.setitem(module(CAPSTONE), "fetcher", fake_fetcher)
    assert run(CAPSTONE, "data-survives-restart", FakeView(objects)).status == status
    assert asked[0].startswith("http://10.0.0.9:5050/?rest_route=/wp/v2/posts")


def test_wordpress_redirect_must_reach_port_5050(monkeypatch):
    services = _services(["10.0.0.9"] * 5)
    services[0]["spec"]["ports"] = [{"port": 80}, {"port": 443}]
    for location, status in (("http://10.0.0.9:5050/", "pass"), ("http://10.0.0.9/wp/", "fail")):
        monkeypatch.setitem(module(CAPSTONE), "http_redirect",
                            lambda url, code, to=None, location=location: passed("x {location}", location=location))
        assert run(CAPSTONE, "wordpress-redirect", FakeView({"services": services})).status == status


@pytest.mark.parametrize(("keys", "legacy"), [
    ({"metallb.io/allow-shared-ip": "capstone"}, False),
    ({"metallb.io/allow-shared-ip": "capstone", "metallb.universe.tf/allow-shared-ip": "capstone"}, False),
    ({"metallb.universe.tf/allow-shared-ip": "capstone"}, True),
])
def test_sharing_key_current_prefix_or_old_one_with_a_hint(keys, legacy):
    services = _services(["10.0.0.9"] * 5) + [
        {"metadata": {"name": n}, "spec": {"type": "ClusterIP", "ports": [{"port": p}]}}
        for n, p in (("capstone-mysql", 3306), ("capstone-influxdb", 8086))]
    for service in services[:5]:
        service["metadata"]["annotations"] = dict(keys)
    outcome = run(CAPSTONE, "services-share-one-ip", FakeView({"services": services}))
    assert outcome.status == "pass"
    assert ("deprecated" in outcome.message) == legacy


SERVICES = find_lab("05-services")


@pytest.mark.parametrize(("kind", "ingress", "selects", "address"), [
    ("LoadBalancer", [{"ip": "192.168.49.200"}], "pass", "pass"),
    ("LoadBalancer", [], "pass", "fail"),
    ("NodePort", [], "fail", "skip"),
])
def test_loadbalancer_exercise(kind, ingress, selects, address):
    labels = {"app": "svc-web"}
    owner = lambda kind, uid: [{"kind": kind, "uid": uid, "controller": True}]  # noqa: E731
    spec = {"containers": [{"name": "web", "image": "nginx:1.30", "ports": [{"containerPort": 80}]}]}
    pod = {"metadata": {"name": "svc-web-1", "uid": "p1", "labels": labels, "ownerReferences": owner("ReplicaSet", "r1")},
           "spec": spec}
    replicaset = {"metadata": {"name": "svc-web-1a", "uid": "r1", "ownerReferences": owner("Deployment", "d1")}}
    service = {"metadata": {"name": "svc-web-lb"}, "spec": {"type": kind, "selector": labels,
                                                            "ports": [{"port": 80, "targetPort": 80}]},
               "status": {"loadBalancer": {"ingress": ingress}}}
    slice_ = {"metadata": {"name": "s", "labels": {"kubernetes.io/service-name": "svc-web-lb"}},
              "endpoints": [{"addresses": ["10.1.0.5"], "conditions": {"ready": True},
                             "targetRef": {"kind": "Pod", "name": "svc-web-1"}}]}
    deployment = {"metadata": {"name": "svc-web", "uid": "d1"}, "spec": {"selector": {"matchLabels": labels},
                                                            "template": {"metadata": {"labels": labels}, "spec": spec}}}
    view = FakeView({"services": [service], "pods": [pod], "endpointslices": [slice_], "deployments": [deployment],
                     "replicasets": [replicaset]})
    assert run(SERVICES, "loadbalancer-selects-pods", view).status == selects
    assert run(SERVICES, "loadbalancer-external-ip", view).status == address


# --- 16-capstone: images, liveness probes, Telegraf and Grafana (API-level, on the solution's own objects) -----


def _solution(edit=None) -> FakeView:
    """A view of the reference solution's objects, after ``edit(objects)``."""
    import copy

    import yaml

    objects: dict[str, list[dict]] = {}
    for path in sorted((CAPSTONE.path / "solution").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            objects.setdefault(doc["kind"].lower() + "s", []).append(copy.deepcopy(doc))
    if edit:
        edit(objects)
    return FakeView(objects)


def _container(objects, name: str) -> dict:
    deployment = next(o for o in objects["deployments"] if o["metadata"]["name"] == name)
    return deployment["spec"]["template"]["spec"]["containers"][0]


def _configmap(objects, name: str) -> dict:
    return next(o for o in objects["configmaps"] if o["metadata"]["name"] == name)


@pytest.mark.parametrize("check_id", ["liveness-probes", "images-pinned", "images-built-locally",
                                      "telegraf-watches-every-service", "grafana-dashboard-per-service"])
def test_the_solution_passes_and_nothing_passes_without_it(check_id):
    assert run(CAPSTONE, check_id, _solution()).status == "pass"
    assert run(CAPSTONE, check_id, FakeView({})).status == "fail"


@pytest.mark.parametrize(("probe", "status"), [
    ({"httpGet": {"path": "/", "port": "https"}}, "pass"),  # a named port the container declares
    ({"httpGet": {"path": "/", "port": 443}}, "pass"),
    ({"tcpSocket": {"port": "ssh"}}, "pass"),
    ({"grpc": {"port": 443}}, "pass"),
    ({"exec": {"command": ["pgrep", "nginx"]}}, "pass"),
    ({"tcpSocket": {"port": "htps"}}, "fail"),  # a name the container does not declare
    ({"initialDelaySeconds": 5}, "fail"),  # no handler: the API server refuses it, the check too
    (None, "fail"),
])
def test_liveness_probe_in_every_correct_form(probe, status):
    def edit(objects):
        container = _container(objects, "capstone-nginx")
        container.pop("livenessProbe")
        if probe is not None:
            container["livenessProbe"] = probe
    assert run(CAPSTONE, "liveness-probes", _solution(edit)).status == status


def test_liveness_probes_cover_statefulsets_too():
    def edit(objects):
        deployment = objects["deployments"].pop(next(i for i, o in enumerate(objects["deployments"])
                                                     if o["metadata"]["name"] == "capstone-mysql"))
        deployment["kind"] = "StatefulSet"
        deployment["spec"]["template"]["spec"]["containers"][0].pop("livenessProbe")
        objects["statefulsets"] = [deployment]
    outcome = run(CAPSTONE, "liveness-probes", _solution(edit))
    assert outcome.status == "fail" and "statefulset/capstone-mysql" in outcome.params["places"]


@pytest.mark.parametrize(("image", "status"), [
    ("kubelab.local/ft-nginx:1.0", "pass"),
    ("kubelab.local/ft-nginx@sha256:" + "a" * 64, "pass"),
    ("kubelab.local/ft-nginx:latest@sha256:" + "a" * 64, "pass"),  # the digest pins it
    ("kubelab.local/ft-nginx:latest", "fail"),
    ("kubelab.local/ft-nginx", "fail"),
    ("localhost:5000/ft-nginx", "fail"),  # the registry's port is not a tag
])
def test_images_pinned(image, status):
    def edit(objects):
        _container(objects, "capstone-nginx")["image"] = image
    assert run(CAPSTONE, "images-pinned", _solution(edit)).status == status


@pytest.mark.parametrize(("image", "policy", "status"), [
    ("kubelab.local/ft-nginx:1.0", "Never", "pass"),
    ("kubelab.local/ft-nginx:1.0", None, "pass"),  # IfNotPresent by default, and no registry has that name
    ("ft-nginx:1.0", "IfNotPresent", "pass"),
    ("localhost:5000/ft-nginx:1.0", "IfNotPresent", "pass"),
    ("ghcr.io/someone/ft-nginx:1.0", "Never", "pass"),  # built or loaded under that name: never pulled
    ("ghcr.io/someone/ft-nginx:1.0", "IfNotPresent", "fail"),
    ("kubelab.local/ft-nginx:1.0", "Always", "fail"),
    ("kubelab.local/ft-nginx:latest", None, "fail"),  # Always by default
    ("nginx:1.30-alpine", "Never", "fail"),  # the public image, even if present on the node
    ("docker.io/library/nginx:1.30-alpine", None, "fail"),
    ("mirror.gcr.io/library/nginx:1.30-alpine", None, "fail"),
])
def test_images_built_locally(image, policy, status):
    def edit(objects):
        container = _container(objects, "capstone-nginx")
        container["image"] = image
        container.pop("imagePullPolicy")
        if policy:
            container["imagePullPolicy"] = policy
    assert run(CAPSTONE, "images-built-locally", _solution(edit)).status == status


def test_one_image_per_service():
    def edit(objects):
        _container(objects, "capstone-phpmyadmin")["image"] = "kubelab.local/ft-wordpress:1.0"
    outcome = run(CAPSTONE, "images-built-locally", _solution(edit))
    assert outcome.status == "fail" and "capstone-phpmyadmin" in outcome.params["shared"]


def _telegraf(conf: str):
    def edit(objects):
        _configmap(objects, "capstone-telegraf")["data"] = {"telegraf.conf": conf}
    return run(CAPSTONE, "telegraf-watches-every-service", _solution(edit))


OUTPUT = '[[outputs.influxdb]]\n  urls = ["http://capstone-influxdb.kubelab-capstone.svc.cluster.local:8086"]\n'


def test_telegraf_accepts_a_whole_cluster_input_and_spellings_of_service_names():
    assert _telegraf(OUTPUT + "[[inputs.kubernetes]]\n  url = \"https://$HOSTIP:10250\"\n").status == "pass"
    services = ("nginx", "wordpress", "mysql", "phpmyadmin", "ftps", "influxdb", "grafana")
    per_service = "".join(f'[[ inputs.net_response ]]\n  address = "capstone-{s}.kubelab-capstone.svc:1"\n'
                          for s in services)
    assert _telegraf(OUTPUT + per_service).status == "pass"


def test_telegraf_fails_without_output_or_with_a_service_unwatched_or_only_commented():
    services = ("nginx", "wordpress", "mysql", "phpmyadmin", "ftps", "influxdb")
    inputs = "".join(f'[[inputs.net_response]]\n  address = "capstone-{s}:1"\n' for s in services)
    assert _telegraf(inputs).status == "fail"  # no output
    outcome = _telegraf(OUTPUT + inputs + '# [[inputs.http_response]]\n#  urls = ["http://capstone-grafana:3000"]\n')
    assert outcome.status == "fail" and outcome.params["services"] == "capstone-grafana"
    outcome = _telegraf(OUTPUT + inputs + '[[inputs.http_response]]\n  urls = ["http://capstone-grafana-old:3000"]\n')
    assert outcome.status == "fail"


def _dashboards(data: dict, mounts=None, volumes=None):
    def edit(objects):
        _configmap(objects, "capstone-grafana-dashboards")["data"] = data
        spec = next(o for o in objects["deployments"]
                    if o["metadata"]["name"] == "capstone-grafana")["spec"]["template"]["spec"]
        if mounts is not None:
            spec["containers"][0]["volumeMounts"] = mounts
        if volumes is not None:
            spec["volumes"] = volumes
    return run(CAPSTONE, "grafana-dashboard-per-service", _solution(edit))


PROVIDER = "apiVersion: 1\nproviders:\n  - name: x\n    options:\n      path: /var/lib/grafana/dashboards\n"
TITLES = ("nginx", "WordPress", "MariaDB", "PMA", "vsftpd (FTPS)", "InfluxDB", "Grafana itself")


def test_dashboards_in_another_folder_with_subpath_mounts_and_api_exports():
    boards = {f"d{i}.json": json.dumps({"dashboard": {"title": t}} if i % 2 else {"title": t})
              for i, t in enumerate(TITLES)}
    mounts = [{"name": "dashboards", "mountPath": "/etc/grafana/provisioning/dashboards/capstone.yaml",
               "subPath": "provider.yaml"},
              {"name": "boards", "mountPath": "/var/lib/grafana/dashboards"}]
    volumes = [{"name": "dashboards", "configMap": {"name": "capstone-grafana-dashboards"}},
               {"name": "boards", "configMap": {"name": "capstone-grafana-boards"}}]

    def edit(objects):
        _configmap(objects, "capstone-grafana-dashboards")["data"] = {"provider.yaml": PROVIDER}
        objects["configmaps"].append({"metadata": {"name": "capstone-grafana-boards"}, "data": boards})
        spec = next(o for o in objects["deployments"]
                    if o["metadata"]["name"] == "capstone-grafana")["spec"]["template"]["spec"]
        spec["containers"][0]["volumeMounts"], spec["volumes"] = mounts, volumes
    assert run(CAPSTONE, "grafana-dashboard-per-service", _solution(edit)).status == "pass"


def test_dashboards_fail_without_provider_outside_its_folder_or_for_a_missing_service():
    provider = PROVIDER.replace("/var/lib/grafana/dashboards", "/etc/grafana/provisioning/dashboards")
    boards = {f"d{i}.json": json.dumps({"title": t}) for i, t in enumerate(TITLES)}
    assert _dashboards({**boards, "provider.yaml": provider}).status == "pass"
    assert _dashboards(boards).status == "fail"  # no provider
    assert _dashboards({**boards, "provider.yaml": PROVIDER}).status == "fail"  # it reads another folder
    outcome = _dashboards({**{k: v for k, v in boards.items() if "MariaDB" not in v}, "provider.yaml": provider})
    assert outcome.status == "fail" and outcome.params["services"] == "capstone-mysql"
    not_json = {**boards, "d2.json": "{not json", "provider.yaml": provider}
    assert _dashboards(not_json).status == "fail"
