"""lab.yaml against its one schema (``checkers.lab.LAB_KEYS``): unknown keys, wrong types and broken references
are refused naming file and field; the catalog order and the lab lookup come from folder names alone; the docs'
field table is the schema the loader applies. No cluster is needed."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from checkers.grading.grade import select
from checkers.lab import FAULT_KEYS, LAB_KEYS, SECRET_KEYS, LabError, all_labs, field_table, find_lab, load_lab
from clusters.base import Capabilities
from clusters.errors import UsageError

GOOD = {"title": "Demo", "minutes": 5, "namespace": "demo"}


def make_lab(root: Path, name: str, **values) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    namespace = "ns-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")  # each lab its own
    (folder / "lab.yaml").write_text(yaml.safe_dump({**GOOD, "namespace": namespace, **values}))
    return folder


def refused(folder: Path, *words: str) -> str:
    with pytest.raises(LabError) as raised:
        all_labs(folder.parent)
    message = str(raised.value)
    assert str(folder / "lab.yaml") in message and all(w in message for w in words), message
    return message


@pytest.mark.parametrize(("values", "words"), [
    ({"order": 3}, ['unknown field "order"', "title, minutes"]),
    ({"id": "01-demo"}, ['unknown field "id"']),
    ({"titel": "Demo"}, ['unknown field "titel"']),
    ({"secrets": [{"nmae": "db", "generate": ["password"]}]}, ['unknown field "secrets[0].nmae"', "literals"]),
    ({"secrets": [{"name": "db", "generat": ["password"]}]}, ['unknown field "secrets[0].generat"']),
    ({"secrets": [{"name": "db", "generate": "password"}]}, ['"secrets[0].generate" must be a list of Secret keys']),
    ({"secrets": [{"name": "DB"}]}, ['"secrets[0].name" must be a Secret name']),
    ({"secrets": [{"generate": ["password"]}]}, ['"secrets[0].name"']),
    ({"secrets": ["db"]}, ['"secrets" must be a list of secrets']),
    ({"secrets": [{"name": "db", "literals": {"a key": "x"}}]}, ['"secrets[0].literals"']),
    ({"needs": {"gpu": True}}, ['"needs"', "data_plane", "nodes (a number)"]),
    ({"needs": {"nodes": True}}, ['"needs"']),
    ({"needs": {"ingress": 2}}, ['"needs"']),
    ({"minutes": True}, ['"minutes"']),
    ({"classroom": "teacher"}, ['"classroom" must be one of students, instructor']),
    ({"requires": ["99-nope"]}, ['"requires" names 99-nope', "labs before it are: 00-first"]),
    ({"requires": ["02-later"]}, ['"requires" names 02-later']),
    ({"namespace": "ns-00-first"}, ['"namespace" must be the lab\'s own; ns-00-first is also the namespace of 00-first']),
])
def test_a_bad_lab_yaml_is_refused_naming_file_field_and_expectation(tmp_path, values, words):
    make_lab(tmp_path, "00-first")
    make_lab(tmp_path, "02-later")
    refused(make_lab(tmp_path, "01-demo", **values), *words)


def test_every_capability_of_the_cluster_is_a_valid_need(tmp_path):
    needs = {f.name: (2 if f.type in (int, "int") else True) for f in fields(Capabilities)}
    assert load_lab(make_lab(tmp_path, "01-demo", needs=needs)).needs == needs


def test_a_good_lab_yaml_gets_its_defaults(tmp_path):
    make_lab(tmp_path, "00-first")
    make_lab(tmp_path, "01-demo", requires=["00-first"], secrets=[{"name": "db", "generate": ["password"]}])
    lab = find_lab("01", tmp_path)
    assert (lab.id, lab.needs, lab.classroom, lab.requires) == ("01-demo", {}, "students", ("00-first",))
    assert lab.secret_names == {"db"}


@pytest.mark.parametrize("name", ["1-demo", "001-demo", "01-Demo", "01_demo", "01ab-demo", "01-"])
def test_a_lab_folder_name_is_nn_slug(tmp_path, name):
    folder = make_lab(tmp_path, name)
    with pytest.raises(LabError, match="NN-slug or NNx-slug"):
        load_lab(folder)


def test_catalog_order_is_the_folder_name_and_a_letter_takes_a_place_between(tmp_path):
    for name in ("05-services", "04a-probes", "10-resources", "04-rollouts", "00-welcome"):
        make_lab(tmp_path, name)
    assert [lab.id for lab in all_labs(tmp_path)] == ["00-welcome", "04-rollouts", "04a-probes", "05-services",
                                                      "10-resources"]


def test_one_lookup_rule_everywhere(tmp_path):
    for name in ("03-deployments", "04-rollouts", "04a-probes", "16-capstone", "16-extra"):
        make_lab(tmp_path, name)
    for name, wanted in {"03-deployments": "03-deployments", "03": "03-deployments", "3": "03-deployments",
                         "deployments": "03-deployments", "04": "04-rollouts", "04a": "04a-probes",
                         "probes": "04a-probes", "16-extra": "16-extra"}.items():
        assert find_lab(name, tmp_path).id == wanted
    with pytest.raises(UsageError, match="16 could be any of these labs: 16-capstone, 16-extra"):
        find_lab("16", tmp_path)
    with pytest.raises(UsageError, match="no lab called 99"):
        find_lab("99", tmp_path)
    labs = all_labs(tmp_path)
    with pytest.raises(UsageError, match="16-capstone, 16-extra"):
        select([], labs, _NoJournal(), only=["16"])


def test_grade_only_picks_exactly_the_lab_find_lab_finds():
    from checkers.grading.roster import Student

    labs = all_labs()
    student = Student(id="ana", name="Ana", line=2)
    graded = _NoJournal()
    graded.records = {(student.id, lab.id): {"document": {}} for lab in labs}  # all graded: only --only is chosen
    for name in ("16", "16-capstone", "capstone", "3"):
        chosen = select([student], labs, graded, only=[name])
        assert {lab.id for _s, lab in chosen} == {find_lab(name).id}


class _NoJournal:
    def __init__(self):
        self.records = {}


def _table(text: str) -> dict[str, list[str]]:
    rows = [line.strip("|").split(" | ") for line in text.splitlines()[2:]]
    return {re.sub(r"`", "", row[0]).strip(): [cell.strip() for cell in row[1:]] for row in rows}


@pytest.mark.parametrize("keys", [LAB_KEYS, SECRET_KEYS, FAULT_KEYS], ids=["lab", "secret", "fault"])
def test_the_field_table_is_what_the_loader_accepts(keys):
    table = _table(field_table(keys))
    assert list(table) == [key.name for key in keys]
    assert all(len(cells) == 3 and all(cells) for cells in table.values())
    assert {name for name, cells in table.items() if cells[1] == "yes"} == {k.name for k in keys if k.required}


def test_the_documented_required_fields_are_exactly_the_ones_a_lab_cannot_omit(tmp_path):
    table = _table(field_table())
    for name, (_type, required, _meaning) in table.items():
        values = {k: v for k, v in GOOD.items() if k != name}
        folder = make_lab(tmp_path / name, "01-demo")
        (folder / "lab.yaml").write_text(yaml.safe_dump(values))
        if required == "yes":
            with pytest.raises(LabError, match=f'"{name}"'):
                load_lab(folder)
        else:
            load_lab(folder)


def test_every_lab_in_the_repository_loads_with_its_faults():
    for lab in all_labs():
        assert lab.faults is not None and all(f.trips in {c.id for c in lab.checks} for f in lab.faults)


def test_the_docs_show_the_schema():
    root = Path(__file__).resolve().parent.parent
    text = (root / "docs" / "hooks" / "kubelab.py").read_text(encoding="utf-8")
    assert "field_table" in text and "reference/lab-yaml.md" in (root / "docs" / "authoring.md").read_text()
