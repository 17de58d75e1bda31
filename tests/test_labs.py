"""Every lab tests itself on the cluster: its solution passes, each fault trips exactly its check,
and an empty namespace passes nothing. The checks run with a read-only identity, so any write
they attempted would be refused and show up as an error.

The harness is generic: a new lab folder is tested without touching this file.
"""

from __future__ import annotations

import pytest

from checkers import actions
from checkers.lab import all_labs
from checkers.runner import LabResult, run_lab
from clusters.base import detect_capabilities
from tests.helpers import assert_filled, create_namespace

LABS = all_labs()
pytestmark = pytest.mark.cluster


def _fault_cases():
    return [pytest.param(lab, fault, id=f"{lab.id}:{fault.name}") for lab in LABS for fault in lab.faults]


@pytest.fixture
def lab_namespace(api, request):
    from clusters.api import request as send

    name = create_namespace(api, request.node.name)
    yield name
    send(api, "DELETE", f"/api/v1/namespaces/{name}")


def _run(lab, reader_api, namespace) -> LabResult:
    return run_lab(lab, reader_api, namespace, detect_capabilities(reader_api))


def _statuses(result: LabResult) -> dict[str, str]:
    return {r.check.id: r.outcome.status for r in result.results}


def _explain(result: LabResult) -> str:
    doc = result.as_dict("en")
    return "\n".join(f"  {c['id']}: {c['status']} — {c['message']}" for c in doc["checks"])


def _assert_gradable(result: LabResult, caps) -> None:
    """No errors, and a check is skipped exactly when the cluster lacks what it needs."""
    assert_filled(result)
    for r in result.results:
        assert r.outcome.status != "error", f"{r.check.id} errored:\n{_explain(result)}"
        should_skip = bool(caps.missing(r.check.needs))
        assert (r.outcome.status == "skip") == should_skip, f"{r.check.id}:\n{_explain(result)}"


def test_every_lab_has_faults_for_checks_that_exist():
    for lab in LABS:
        ids = {c.id for c in lab.checks}
        assert lab.faults, f"{lab.id} has no faults"
        for fault in lab.faults:
            assert fault.trips in ids, f"{lab.id}/faults/{fault.name} trips unknown check {fault.trips}"


@pytest.mark.parametrize("lab", LABS, ids=[lab.id for lab in LABS])
def test_solution_passes_every_check(lab, cluster, reader_api, lab_namespace):
    actions.solve(lab, cluster, lab_namespace)
    result = _run(lab, reader_api, lab_namespace)
    caps = detect_capabilities(reader_api)
    _assert_gradable(result, caps)
    assert all(s in ("pass", "skip") for s in _statuses(result).values()), _explain(result)
    assert result.score == result.max > 0


@pytest.mark.parametrize(("lab", "fault"), _fault_cases())
def test_fault_trips_exactly_its_check(lab, fault, cluster, reader_api, lab_namespace):
    caps = detect_capabilities(reader_api)
    lacking = caps.missing(next(c for c in lab.checks if c.id == fault.trips).needs)
    if lacking:  # its check is skipped on this cluster (e.g. no metrics API): the fault cannot show anything
        pytest.skip(f"{fault.trips} needs {', '.join(lacking)}")
    actions.apply_fault(lab, fault, cluster, lab_namespace)
    result = _run(lab, reader_api, lab_namespace)
    _assert_gradable(result, caps)
    failing = [check_id for check_id, status in _statuses(result).items() if status == "fail"]
    assert failing == [fault.trips], f"{fault.name} should trip only {fault.trips}:\n{_explain(result)}"


@pytest.mark.parametrize("lab", LABS, ids=[lab.id for lab in LABS])
def test_empty_namespace_passes_nothing(lab, reader_api, lab_namespace):
    result = run_lab(lab, reader_api, lab_namespace, detect_capabilities(reader_api), settle=False)
    assert_filled(result)
    assert "pass" not in _statuses(result).values(), _explain(result)
    assert result.score == 0


@pytest.mark.parametrize("lab", [lab for lab in LABS if lab.id in ("03-deployments", "11-nodes")],
                         ids=lambda lab: lab.id)
def test_grades_do_not_depend_on_events(lab, cluster, api, reader_api, lab_namespace):
    """The API server deletes Events after an hour: the grade taken once they are gone is the grade before."""
    from clusters.api import get
    from clusters.api import request as send
    from tests.helpers import wait_for

    actions.solve(lab, cluster, lab_namespace)
    before = _run(lab, reader_api, lab_namespace)
    for namespace in (lab_namespace, "default"):  # a node's events are in default
        send(api, "DELETE", f"/api/v1/namespaces/{namespace}/events")
    wait_for(lambda: not get(api, f"/api/v1/namespaces/{lab_namespace}/events")["items"], what="events deleted")
    after = _run(lab, reader_api, lab_namespace)

    def outcome(result):
        return [(c["id"], c["status"], c["message"]) for c in result.as_dict("en")["checks"]], result.score

    assert outcome(after) == outcome(before)
    assert before.score == before.max > 0, _explain(before)
