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
    pod = {"metadata": {"name": "svc-web-1", "uid": "p1", "labels": labels, "ownerReferences": owner("ReplicaSet", "r1")}}
    replicaset = {"metadata": {"name": "svc-web-1a", "uid": "r1", "ownerReferences": owner("Deployment", "d1")}}
    service = {"metadata": {"name": "svc-web-lb"}, "spec": {"type": kind, "selector": labels},
               "status": {"loadBalancer": {"ingress": ingress}}}
    slice_ = {"metadata": {"name": "s", "labels": {"kubernetes.io/service-name": "svc-web-lb"}},
              "endpoints": [{"addresses": ["10.1.0.5"], "conditions": {"ready": True},
                             "targetRef": {"kind": "Pod", "name": "svc-web-1"}}]}
    deployment = {"metadata": {"name": "svc-web", "uid": "d1"}, "spec": {"selector": {"matchLabels": labels},
                                                            "template": {"metadata": {"labels": labels}}}}
    view = FakeView({"services": [service], "pods": [pod], "endpointslices": [slice_], "deployments": [deployment],
                     "replicasets": [replicaset]})
    assert run(SERVICES, "loadbalancer-selects-pods", view).status == selects
    assert run(SERVICES, "loadbalancer-external-ip", view).status == address
