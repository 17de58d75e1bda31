"""The accuracy corpus: learner answers nobody on the project wrote, each graded with its exact verdict.

``tests/corpus/<lab>/<case>/`` holds manifests (and, for steps that are actions, a ``solve.py``) and a
``case.yaml``::

    expect: pass              # or fail: the verdict every named check must give
    check: clusterip-target-port   # one check id, or a list
    source: https://kubernetes.io/docs/...   # or "typical learner mistake: ..."
    base: solution            # (default) the case's files replace the solution's same-named files; "none": alone
    params: {scale: 6}        # optional: run the lab corpus's steps.py as the case's solve.py, with these params
                              # in params.txt beside it (kubectl apply -f . skips .txt): steps shared by a lab's cases

Half of a lab's cases are valid alternatives to the reference solution (from public examples), half real
mistakes. Each case is applied with kubectl into a fresh namespace and graded by the lab's checks with the
read-only identity, as the self-tests do. Test ids are ``<lab>:<case>``; the true-pass rate is the share of
``expect: pass`` cases that pass, the true-fail rate the share of ``expect: fail`` cases that fail.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from checkers import actions
from checkers.lab import find_lab
from checkers.runner import run_lab
from clusters.base import detect_capabilities
from clusters.files import load_yaml
from tests.helpers import create_namespace

CORPUS = Path(__file__).resolve().parent / "corpus"


def cases() -> list[tuple[str, Path, dict]]:
    found = []
    for file in sorted(CORPUS.glob("*/*/case.yaml")):
        found.append((file.parent.parent.name, file.parent, load_yaml(file.read_text(encoding="utf-8"), file)))
    return found


CASES = cases()


def _checks(meta: dict) -> list[str]:
    return [meta["check"]] if isinstance(meta.get("check"), str) else list(meta.get("check") or [])


def test_every_case_is_well_formed():
    per_lab: dict[str, dict[str, int]] = {}
    for lab_id, folder, meta in CASES:
        lab = find_lab(lab_id)
        assert meta.get("expect") in ("pass", "fail"), f"{folder}: expect must be pass or fail"
        assert str(meta.get("source") or "").strip(), f"{folder}: every case names its source"
        assert meta.get("base", "solution") in ("solution", "none"), f"{folder}: base is solution or none"
        ids = {c.id for c in lab.checks}
        assert _checks(meta) and set(_checks(meta)) <= ids, f"{folder}: unknown checks {_checks(meta)}"
        files = [f for f in folder.iterdir() if f.name != "case.yaml"]
        assert files or "params" in meta, f"{folder}: a case has manifests, a solve.py or params for steps.py"
        assert "params" not in meta or (folder.parent / "steps.py").is_file(), f"{folder}: params need a steps.py"
        counts = per_lab.setdefault(lab_id, {"pass": 0, "fail": 0})
        counts[meta["expect"]] += 1
    for lab_id, counts in per_lab.items():
        assert counts["pass"] >= 4 and counts["fail"] >= 4, f"{lab_id}: at least 4 valid and 4 faulty cases: {counts}"


@pytest.fixture
def case_namespace(api, request):
    from clusters.api import request as send

    name = create_namespace(api, request.node.callspec.id.replace(":", "-"))
    yield name
    send(api, "DELETE", f"/api/v1/namespaces/{name}")


@pytest.mark.cluster
@pytest.mark.parametrize(("lab_id", "folder", "meta"), CASES, ids=[f"{c[0]}:{c[1].name}" for c in CASES])
def test_case_gets_its_exact_verdict(lab_id, folder, meta, cluster, reader_api, case_namespace):
    lab = find_lab(lab_id)
    with tempfile.TemporaryDirectory(prefix="kubelab-case-") as tmp:
        variant = Path(tmp)
        for file in folder.iterdir():
            shutil.copyfile(file, variant / file.name)
        if "params" in meta:
            shutil.copyfile(folder.parent / "steps.py", variant / "solve.py")
            (variant / "params.txt").write_text(json.dumps(meta["params"]))
        actions.apply_variant(lab, variant, cluster, case_namespace,
                              over_solution=meta.get("base", "solution") == "solution")
    result = run_lab(lab, reader_api, case_namespace, detect_capabilities(reader_api), only=_checks(meta))
    doc = result.as_dict("en")
    verdicts = {c["id"]: (c["status"], c["message"]) for c in doc["checks"]}
    wrong = {k: v for k, v in verdicts.items() if v[0] != meta["expect"]}
    assert not wrong, f"{lab_id}/{folder.name} ({meta['source']}): expected {meta['expect']}, got {wrong}"
