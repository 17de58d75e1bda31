"""The checker engine without a real cluster: outcomes, lab validation, runner rules, and
stub clusters where everything is missing or broken, on which no check may pass or crash."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from checkers import N_, check, failed
from checkers.lab import LabError, all_labs, find_lab, load_lab
from checkers.registry import collect
from checkers.runner import SCHEMA, run_lab
from clusters.base import Capabilities
from clusters.errors import UsageError
from tests.helpers import assert_filled
from tests.stub_apiserver import StubApiServer

LABS = all_labs()
NO_DATA_PLANE = Capabilities(nodes=3)
EVERYTHING = Capabilities(data_plane=True, ingress=True, load_balancer=True, nodes=3, internet=True, gateway=True,
                          metrics=True)


def _object_names(lab) -> list[str]:
    names = set()
    for folder in [lab.path / "manifests", lab.path / "solution", *(f.path for f in lab.faults)]:
        for file in folder.glob("*.yaml"):
            for doc in yaml.safe_load_all(file.read_text()):
                if isinstance(doc, dict) and "metadata" in doc:
                    names.add(doc["metadata"]["name"])
    return sorted(names)


@pytest.mark.parametrize("mode", ["forbidden", "empty", "garbage", "notjson"])
@pytest.mark.parametrize("lab", LABS, ids=[lab.id for lab in LABS])
def test_no_check_passes_on_a_broken_cluster(lab, mode):
    with StubApiServer(mode, _object_names(lab)) as stub:
        result = run_lab(lab, stub.api_client(), lab.namespace, EVERYTHING, settle=False)
    statuses = {r.check.id: r.outcome.status for r in result.results}
    assert "pass" not in statuses.values(), statuses
    assert len(statuses) == len(lab.checks)
    assert_filled(result)
    if mode in ("forbidden", "notjson"):
        assert set(statuses.values()) == {"error"}, statuses
        assert result.max == 0  # errors cost no points


def test_timeout_is_an_error_not_a_failure():
    lab = LABS[0]
    with StubApiServer("slow", []) as stub:
        api = stub.api_client()
        result = run_lab(lab, api, lab.namespace, NO_DATA_PLANE, settle=False)
    assert {r.outcome.status for r in result.results} == {"error"}
    assert "did not answer" in result.as_dict("en")["checks"][0]["message"]


def test_unreachable_cluster_gives_errors_with_a_clear_message():
    from kubernetes import client

    from clusters.api import Client

    configuration = client.Configuration()
    configuration.host = "https://127.0.0.1:1"
    lab = LABS[0]
    result = run_lab(lab, Client.wrap(client.ApiClient(configuration)), lab.namespace, NO_DATA_PLANE)
    doc = result.as_dict("en")
    assert doc["counts"]["error"] == len(lab.checks) and doc["score"] == 0 and doc["max"] == 0
    assert "cannot be reached" in doc["checks"][0]["message"]


def test_result_document_contract():
    lab = LABS[0]
    with StubApiServer("empty", []) as stub:
        doc = run_lab(lab, stub.api_client(), "ns1", NO_DATA_PLANE, backend="embedded", settle=False).as_dict("fr")
    assert doc["schema"] == SCHEMA
    assert set(doc) == {"schema", "lab", "namespace", "backend", "cluster", "language", "started", "seconds",
                        "api_requests", "score", "max", "total", "counts", "checks"}
    assert set(doc["checks"][0]) == {"id", "title", "points", "status", "message", "message_id", "params",
                                     "expected", "found", "hints", "evidence"}
    assert doc["language"] == "fr" and doc["namespace"] == "ns1" and doc["backend"] == "embedded"


def test_each_kind_is_listed_at_most_once_per_run():
    lab = find_lab("deployments")
    with StubApiServer("empty", []) as stub:
        result = run_lab(lab, stub.api_client(), lab.namespace, NO_DATA_PLANE, settle=False)
    kinds = {"deployments", "replicasets", "pods", "events"}
    assert result.requests <= len(kinds) + 1  # + the namespace lookup


# --- the runner's rules, on a lab made up for the test -------------------------------------------

LAB_YAML = {"title": "Demo", "minutes": 5, "namespace": "demo"}
CHECKS = '''
from checkers import N_, check, failed, not_yet, passed

calls = {"settling": 0}

@check(N_("always passes"), points=2)
def good(ctx):
    return passed(N_("fine"))

@check(N_("needs a data plane"), needs={"data_plane": True})
def data(ctx):
    return passed(N_("fine"))

@check(N_("crashes"))
def broken(ctx):
    return {}["missing"]

@check(N_("returns nothing"))
def silent(ctx):
    return None

@check(N_("settles"), settle=5)
def settling(ctx):
    calls["settling"] += 1
    return passed(N_("now")) if calls["settling"] >= 3 else not_yet(N_("not yet"))

@check(N_("fails"))
def bad(ctx):
    return failed(N_("wrong {x}"), x=1, expected="a", found="b", hints=(N_("h1"), N_("h2 {x}")))
'''


@pytest.fixture
def demo_lab(tmp_path) -> Path:
    folder = tmp_path / "01-demo"
    folder.mkdir()
    (folder / "lab.yaml").write_text(yaml.safe_dump(LAB_YAML))
    (folder / "checks.py").write_text(CHECKS)
    return folder


def test_runner_rules(demo_lab):
    lab = load_lab(demo_lab)
    with StubApiServer("empty", []) as stub:
        result = run_lab(lab, stub.api_client(), "demo", NO_DATA_PLANE)
    doc = {c["id"]: c for c in result.as_dict("en")["checks"]}
    assert doc["good"]["status"] == "pass"
    assert doc["data"]["status"] == "skip" and "data plane" in doc["data"]["message"]
    assert doc["broken"]["status"] == "error" and "not your fault" in doc["broken"]["message"]
    assert doc["silent"]["status"] == "error"
    assert doc["settling"]["status"] == "pass"
    assert doc["bad"] | {} and doc["bad"]["message"] == "wrong 1" and doc["bad"]["hints"] == ["h1", "h2 1"]
    assert (result.score, result.max) == (3, 4)  # errors and skips are out of the max


def test_check_ids_and_order_come_from_the_source(demo_lab):
    ids = [c.id for c in load_lab(demo_lab).checks]
    assert ids == ["good", "data", "broken", "silent", "settling", "bad"]


@pytest.mark.parametrize(("change", "field"), [
    ({"id": "1-demo"}, "id"),
    ({"minutes": "ten"}, "minutes"),
    ({"namespace": "Not_A_Label"}, "namespace"),
    ({"needs": {"gpu": True}}, "needs"),
    ({"title": ""}, "title"),
    ({"order": None}, "order"),
])
def test_malformed_lab_yaml_names_file_and_field(demo_lab, change, field):
    (demo_lab / "lab.yaml").write_text(yaml.safe_dump({**LAB_YAML, **change}))
    with pytest.raises(LabError) as raised:
        load_lab(demo_lab)
    assert str(demo_lab / "lab.yaml") in str(raised.value) and f'"{field}"' in str(raised.value)


def test_unreadable_lab_files_are_clear_errors(demo_lab):
    (demo_lab / "lab.yaml").write_text("id: [unclosed")
    with pytest.raises(LabError, match="not valid YAML"):
        load_lab(demo_lab)
    (demo_lab / "lab.yaml").write_text(yaml.safe_dump(LAB_YAML))
    (demo_lab / "checks.py").write_text("def oops(:\n")
    with pytest.raises(LabError, match="cannot load the checks"):
        _ = load_lab(demo_lab).checks


def test_unknown_lab_is_a_usage_error():
    with pytest.raises(UsageError, match="no lab called"):
        find_lab("99-nope")


def test_hints_are_at_most_three_and_needs_are_known():
    with pytest.raises(ValueError):
        failed(N_("x"), hints=("a", "b", "c", "d"))
    with pytest.raises(ValueError):
        check(N_("x"), needs={"gpu": True})


def test_collect_ignores_plain_functions():
    import types

    module = types.ModuleType("m")
    exec("from checkers import N_, check, passed\ndef helper(): pass\n@check(N_('t'))\ndef a(ctx): return passed('x')",
         module.__dict__)
    assert [c.id for c in collect(module)] == ["a"]


def test_autoscaling_accepts_every_spelling_of_the_cpu_target():
    """50% of the CPU request, as Utilization or as the AverageValue it means (25m of 50m, in any unit), for the
    pod or for its one container (ContainerResource); other targets and metrics are refused."""
    lab = next(lab for lab in LABS if lab.id == "10a-autoscaling")
    cpu_target = lab.checks[0].fn.__globals__["_cpu_target"]
    deployment = {"metadata": {"name": "autoscale-web"}, "spec": {"template": {"spec": {"containers": [
        {"name": "web", "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}}}]}}}}

    class View:
        def get(self, kind, name):
            return deployment if kind == "deployments" else None

        def list(self, kind):
            return []

    def verdict(kind, target, container=None):
        body = {"name": "cpu", "target": target, **({"container": container} if container else {})}
        key = "resource" if kind == "Resource" else "containerResource"
        return cpu_target({"spec": {"metrics": [{"type": kind, key: body}]}}, View())[0]

    assert verdict("Resource", {"type": "Utilization", "averageUtilization": 50})
    assert verdict("Resource", {"type": "AverageValue", "averageValue": "25m"})
    assert verdict("Resource", {"type": "AverageValue", "averageValue": "0.025"})
    assert verdict("ContainerResource", {"type": "Utilization", "averageUtilization": 50}, "web")
    assert not verdict("Resource", {"type": "Utilization", "averageUtilization": 80})
    assert not verdict("Resource", {"type": "AverageValue", "averageValue": "50m"})
    assert not verdict("ContainerResource", {"type": "Utilization", "averageUtilization": 50}, "other")
    assert not cpu_target({"spec": {"metrics": [{"type": "Resource", "resource": {
        "name": "memory", "target": {"type": "Utilization", "averageUtilization": 50}}}]}}, View())[0]
