"""The Gateway API: pinned CRDs from the Go module, the controller's install shapes, the doctor's route pitfalls,
and the canary's statistical bound."""

from __future__ import annotations

import importlib.util
from math import exp, lgamma, log
from pathlib import Path
from types import SimpleNamespace

import pytest

from clusters import gatewayapi
from clusters.minikube import MinikubeBackend
from clusters.minikube import backend as minikube_backend
from tests.fixtures.minikube.standin import READY, standin  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[1]


def _canary_checks():
    spec = importlib.util.spec_from_file_location("canary_checks", ROOT / "labs" / "15-canary" / "checks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_standard_crds_come_from_the_pinned_module():
    crds = gatewayapi.crds()
    names = {d["metadata"]["name"].split(".")[0] for d in crds}
    assert {"gatewayclasses", "gateways", "httproutes", "referencegrants", "grpcroutes"} <= names
    for crd in crds:
        annotations = crd["metadata"]["annotations"]
        assert crd["kind"] == "CustomResourceDefinition"
        assert annotations["gateway.networking.k8s.io/bundle-version"] == gatewayapi.GATEWAY_API_VERSION
        assert annotations["gateway.networking.k8s.io/channel"] == "standard"


def test_minikube_up_installs_traefik_with_the_crds_and_classes(standin, monkeypatch):  # noqa: F811
    installed: list[list[dict]] = []
    monkeypatch.setattr(minikube_backend.gatewayapi, "install", lambda api, extra, progress: installed.append(extra))
    api = SimpleNamespace(close=lambda: None)  # the stand-in has no API server: install() is what is looked at
    monkeypatch.setattr(MinikubeBackend, "_connection", lambda self: SimpleNamespace(api_client=lambda: api))
    standin.profile(**READY)
    MinikubeBackend().start()
    MinikubeBackend().start()  # idempotent: the same objects, created or replaced
    assert len(installed) == 2 and installed[0] == installed[1]
    kinds = {o["kind"]: o for o in installed[0]}
    container = kinds["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == f"docker.io/traefik:{gatewayapi.TRAEFIK_VERSION}"
    assert {"--providers.kubernetesgateway=true", "--providers.kubernetesingress=true",
            "--global.sendanonymoususage=false"} <= set(container["args"])
    assert [(p["port"], p["targetPort"]) for p in kinds["Service"]["spec"]["ports"]] == [(80, 8000), (443, 8443)]
    assert kinds["ClusterRoleBinding"]["subjects"] == [{"kind": "ServiceAccount", "name": "traefik",
                                                         "namespace": "traefik"}]
    classes = {o["kind"]: o for o in gatewayapi.cluster_objects()}
    assert classes["GatewayClass"]["spec"]["controllerName"] == gatewayapi.GATEWAY_CONTROLLER
    assert classes["IngressClass"]["spec"]["controller"] == gatewayapi.INGRESS_CONTROLLER


def _route(hostnames=(), parent="web", backends=(("app", None),), status=None):
    return {"metadata": {"namespace": "shop", "name": "r"},
            "spec": {"parentRefs": [{"name": parent}], "hostnames": list(hostnames),
                     "rules": [{"backendRefs": [{"name": n, "port": 80, **({"namespace": ns} if ns else {})}
                                                for n, ns in backends]}]},
            "status": status or {}}


GATEWAYS = {("shop", "web"): {"spec": {"listeners": [{"name": "http", "port": 8000, "hostname": "*.shop.example"}]}}}
GRANT = {"metadata": {"namespace": "data", "name": "g"},
         "spec": {"from": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "shop"}],
                  "to": [{"group": "", "kind": "Service"}]}}


@pytest.mark.parametrize(("route", "grants", "found"), [
    (_route(["www.shop.example"]), [], []),
    (_route(["www.shop.example"], parent="wbe"), [], ["route-no-parent"]),
    (_route(["shop.example"]), [], ["route-hostname-mismatch"]),
    (_route(["www.shop.example"], backends=(("db", "data"),)), [], ["route-backend-not-granted"]),
    (_route(["www.shop.example"], backends=(("db", "data"),)), [GRANT], []),
    (_route(["www.shop.example"], status={"parents": [{"parentRef": {"name": "web"}, "conditions": [
        {"type": "Accepted", "status": "True"}, {"type": "ResolvedRefs", "status": "False",
                                                 "reason": "BackendNotFound"}]}]}), [], ["route-not-accepted"]),
])
def test_doctor_names_each_route_pitfall(route, grants, found):
    assert [id for id, _ in gatewayapi.route_problems(route, GATEWAYS, grants, controller=True)] == found


def test_doctor_names_a_gateway_of_a_class_no_controller_serves(monkeypatch):
    accepted = {"type": "Accepted", "status": "True"}
    objects = {
        f"{gatewayapi.CRDS}/gateways.{gatewayapi.GROUP}": {"metadata": {"annotations": {}}},
        f"{gatewayapi.CLASSES}/traefik": {"metadata": {"name": "traefik"}, "status": {"conditions": [accepted]}},
        gatewayapi.CLASSES: {"items": [{"metadata": {"name": "traefik"}, "status": {"conditions": [accepted]}},
                                       {"metadata": {"name": "nginx"}, "status": {}}]},
        f"/apis/{gatewayapi.GROUP}/v1/gateways": {"items": [
            {"metadata": {"namespace": "shop", "name": name}, "spec": {"gatewayClassName": wanted}}
            for name, wanted in (("good", "traefik"), ("old", "nginx"), ("typo", "treafik"))]},
        f"/apis/{gatewayapi.GROUP}/v1/httproutes": {"items": []},
        f"/apis/{gatewayapi.GROUP}/v1beta1/referencegrants": {"items": []},
    }
    monkeypatch.setattr(gatewayapi, "get", lambda api, path, **kw: objects[path])
    found = gatewayapi.findings(api=None)
    assert [f.id for f in found] == ["gateway-ok", "gateway-class-unserved", "gateway-class-unserved"]
    assert "shop/old" in found[1].seen and "nginx" in found[1].seen and "gatewayClassName: traefik" in found[1].fix
    # a controller that died leaves Accepted=True behind: the backend's measure wins
    assert gatewayapi.findings(api=None, serving=False)[0].id == "gateway-no-controller"


def test_canary_range_cannot_flake_and_still_separates_splits():
    checks = _canary_checks()
    n = checks.REQUESTS
    low, high = checks.acceptance(n, 10)
    assert (low, high) == (9, 81)

    def pmf(k, p):
        return exp(lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * log(p) + (n - k) * log(1 - p))

    outside = sum(pmf(k, 0.10) for k in range(n + 1) if not low <= k <= high)
    assert outside <= checks.FALSE_ALARM
    assert sum(pmf(k, 0.5) for k in range(low, high + 1)) < 1e-30  # weights ignored (50/50): always caught
    assert checks.acceptance(n, 0) == (0, 0) and checks.acceptance(n, 100) == (n, n)


@pytest.mark.cluster
def test_embedded_cluster_serves_the_crds_and_the_doctor_reads_routes(api, namespace):
    """`kubelab up` installed the CRDs and classes; with KWOK nodes only, no controller accepts the class, and a
    route attached to a Gateway that does not exist is named."""
    from clusters.api import request
    from tests.helpers import wait_for

    assert gatewayapi.state(api)["crds"] and gatewayapi.state(api)["class"]
    route = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
             "metadata": {"name": "lost", "namespace": namespace},
             "spec": {"parentRefs": [{"name": "nowhere"}], "rules": [{"backendRefs": [{"name": "web", "port": 80}]}]}}
    request(api, "POST", f"/apis/gateway.networking.k8s.io/v1/namespaces/{namespace}/httproutes", body=route)
    def named():
        found = gatewayapi.findings(api)
        return found if any(f"{namespace}/lost" in f.seen for f in found) else None

    found = wait_for(named, what="the doctor's finding on the route")
    ids = {f.id for f in found}
    assert "gateway-no-controller" in ids and "gateway-ok" not in ids
    assert any(f.id == "route-no-parent" and f"{namespace}/lost" in f.seen for f in found)
