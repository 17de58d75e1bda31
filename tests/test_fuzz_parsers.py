"""Every parser of files a person or another program may have written, fed random and hostile input.

The property is the same for each: a correct result or a clear error (``KubelabError``, which the CLI turns
into a message and exit code 2), never another exception, and memory bounded whatever the input claims.
Parsers: the roster CSV (and its kubeconfig column), lab.yaml, PO catalogs with ``translate``, kubeconfig
files, the grading journal and the result documents. No cluster is needed.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import tracemalloc
import unicodedata
from contextlib import contextmanager
from pathlib import Path

import polib
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkers.grading.exports import FORMULA_STARTS, write_all
from checkers.grading.feedback import feedback_text
from checkers.grading.grade import JOURNAL, Journal, usable
from checkers.grading.roster import MAX_ROSTER_BYTES, RESERVED_IDS, STUDENT_ID, RosterError, Student, read_roster
from checkers.hub import GRADER_FILE
from checkers.lab import LabError, find_lab, load_lab
from checkers.runner import load_result, save_result
from clusters.base import Connection, load_kubeconfig
from clusters.errors import KubelabError, UsageError
from clusters.files import load_yaml, writable_folder
from clusters.i18n import load_catalog, translate

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MB = 1024 * 1024
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)  # any character UTF-8 can carry
HOSTILE = st.sampled_from(["=HYPERLINK(\"http://x/\")", "+1", "-1", "@SUM(A1)", "\t", "\r", "\n", "\x00", "\u2028",
                           "\u202e", "grader", "/dev/zero", "~nobody-here/k", "<img src=x onerror=alert(1)>",
                           "{name.x}", "{name:>999999999}", "&a", "*b", "\"", ",", "'"])
CELL = st.one_of(TEXT, HOSTILE, st.lists(st.one_of(TEXT, HOSTILE), max_size=4).map("".join))


@contextmanager
def bounded(limit: int = 64 * MB):
    """Fail when the block allocates more than ``limit`` bytes at its peak."""
    tracemalloc.start()
    try:
        yield
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < limit, f"peak {peak} bytes"


def _folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="kubelab-fuzz-"))


# ---------------------------------------------------------------- roster

@FUZZ
@given(st.lists(st.lists(CELL, min_size=1, max_size=8), max_size=8), st.booleans())
def test_roster_gives_students_or_a_clear_error(rows, quoted):
    file = _folder() / "roster.csv"
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL if quoted else csv.QUOTE_MINIMAL)
    writer.writerow(["id", "name", "email", "kubeconfig"][:max(2, len(rows[0]) if rows else 2)])
    writer.writerows(rows)
    file.write_text(out.getvalue(), encoding="utf-8")
    with bounded():
        try:
            students = read_roster(file)
        except UsageError:
            return
    for student in students:
        assert STUDENT_ID.match(student.id) and student.id not in RESERVED_IDS
        assert student.name and not any(unicodedata.category(c) == "Cc" for c in student.name)


@FUZZ
@given(st.binary(max_size=2000))
def test_roster_of_random_bytes(raw):
    file = _folder() / "roster.csv"
    file.write_bytes(raw)
    with bounded():
        try:
            read_roster(file)
        except UsageError:
            pass


def test_roster_hostile_rows_are_reported_by_line_without_exhausting_memory(tmp_path):
    file = tmp_path / "roster.csv"
    file.write_text("id,name,kubeconfig\n"
                    "ana,Ana\u2028Maria,\n"               # 2: a line separator inside a name is fine
                    "bob,Bob,/dev/zero\n"                 # 3: endless kubeconfig
                    "grader,Grace,\n"                     # 4: reserved id
                    "cid,\"C\x07d\",\n"                   # 5: a control character
                    f"dan,\"{'x' * 200_000}\",\n"        # 6: a cell over the csv module's 128 KB
                    "eve,Eve,\n", encoding="utf-8")
    with bounded(), pytest.raises(RosterError) as bad:
        read_roster(file)
    assert [line for line, _ in bad.value.problems] == [3, 4, 5, 6]
    assert "reserved" in str(bad.value) and "CSV" in str(bad.value) and GRADER_FILE in RESERVED_IDS
    file.write_text("id,name\nana,Ana\u2028Maria\n", encoding="utf-8")
    assert read_roster(file)[0].name == "Ana\u2028Maria"


def test_roster_that_is_a_device_is_refused(tmp_path):
    with bounded(3 * MAX_ROSTER_BYTES // 2), pytest.raises(UsageError, match="larger than"):
        read_roster(Path("/dev/zero"))


# ---------------------------------------------------------------- exports and feedback

def test_csv_cells_never_start_a_formula_and_feedback_is_text(tmp_path):
    lab = find_lab("02-pods")
    students = [Student("ana", "=HYPERLINK(\"http://evil/\",\"x\")", 2, "@evil@example.org"),
                Student("bob", "<img src=x onerror=alert(1)>", 3, "-b@example.org")]
    checks = [{"id": c.id, "title": c.title, "points": c.points, "status": "fail", "message": "Image <b>x</b>",
               "params": {}, "expected": "nginx:<version>", "found": "+cmd|' /C calc'!A0", "hints": ["*hint*"]}
              for c in lab.checks]
    record = {"student": "ana", "lab": lab.id, "document": {
        "lab": lab.id, "score": 0, "max": 1, "counts": {"pass": 0, "fail": len(checks), "error": 0, "skip": 0},
        "checks": checks}}
    paths = write_all(tmp_path, students, [lab], {("ana", lab.id): record, ("bob", lab.id): record})
    for name in ("gradebook", "canvas", "moodle"):
        assert paths[name].stat().st_mode & 0o777 == 0o600
        for row in csv.reader(io.StringIO(paths[name].read_text(encoding="utf-8"))):
            assert not any(cell.startswith(FORMULA_STARTS) for cell in row), row
    assert paths["results"].stat().st_mode & 0o777 == 0o600
    text = feedback_text(students[1], [lab], {("bob", lab.id): record}, "en")
    assert "<img" not in text and "<b>" not in text and "nginx:&lt;version&gt;" in text


def test_feedback_keeps_kubelab_code_spans_and_escapes_the_rest():
    lab = find_lab("02-pods")
    student = Student("ana", "Ana", 2, "ana@example.org")
    check = {"id": "x", "title": "T", "points": 1, "status": "fail", "params": {}, "expected": None, "found": None,
             "message": "Pod `web*1` uses the tag `<b>latest</b>` [link](http://evil/) <i>x</i>",
             "hints": ["Run `kubectl get pods` *now*"]}
    record = {"document": {"lab": lab.id, "score": 0, "max": 1, "counts": {"pass": 0, "fail": 1, "error": 0,
                                                                             "skip": 0}, "checks": [check]}}
    text = feedback_text(student, [lab], {("ana", lab.id): record}, "en")
    assert "Pod `web*1` uses the tag `<b>latest</b>` \\[link\\]\\(http://evil/\\) &lt;i&gt;x&lt;/i&gt;" in text
    assert "Hint: Run `kubectl get pods` \\*now\\*" in text and "\\`" not in text


# ---------------------------------------------------------------- lab.yaml

SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT, HOSTILE)
VALUE = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)
GOOD_LAB = {"namespace": "x", "title": "T", "minutes": 5, "needs": {"nodes": 2},
            "requires": ["00-y"], "secrets": [{"name": "s", "generate": ["password"]}]}


@FUZZ
@given(st.dictionaries(st.sampled_from(sorted(GOOD_LAB)), VALUE, max_size=8))
def test_lab_yaml_with_any_field_values(changes):
    folder = _folder() / "01-x"
    folder.mkdir()
    (folder / "lab.yaml").write_text(yaml.safe_dump({**GOOD_LAB, **changes}), encoding="utf-8")
    with bounded():
        try:
            lab = load_lab(folder)
        except LabError as exc:
            assert len(str(exc)) < 2000
            return
    assert lab.id == "01-x" and isinstance(lab.minutes, int) and isinstance(lab.title, str)
    assert all(isinstance(r, str) for r in lab.requires) and all(isinstance(s, dict) for s in lab.secrets)


@FUZZ
@given(st.text(max_size=400))
def test_lab_yaml_of_random_text(text):
    folder = _folder() / "01-x"
    folder.mkdir()
    (folder / "lab.yaml").write_text(text, encoding="utf-8")
    try:
        load_lab(folder)
    except LabError:
        pass


def test_lab_yaml_alias_bomb_is_refused_without_expanding(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9))
    folder = tmp_path / "01-x"
    folder.mkdir()
    (folder / "lab.yaml").write_text(bomb + "title: *j\n")
    with bounded(8 * MB), pytest.raises(LabError, match="anchors"):
        load_lab(folder)
    (folder / "lab.yaml").write_text("namespace: x\ntitle: T\nminutes: 5\nrequires: "
                                     + "[" * 50_000 + "]" * 50_000 + "\n")
    with bounded(), pytest.raises(LabError):
        load_lab(folder)
    (folder / "lab.yaml").write_text("namespace: x\ntitle: T\nminutes: " + "9" * 5_000 + "\n")
    with bounded(), pytest.raises(LabError):
        load_lab(folder)


# ---------------------------------------------------------------- PO catalogs and translate

MSGID = "Hello {name}: {count} of {value!r}"
PLACEHOLDER = st.sampled_from(["{name}", "{count}", "{value!r}", "{value}", "{name.x}", "{name[0]}", "{0}", "{}",
                               "{name:>999999999}", "{count:,>999999999d}", "{count!r:^{count}}", "{other}",
                               "{", "}", "{{", "}}", "{name!z}", "{name:{name}}"])
MSGSTR = st.lists(st.one_of(TEXT, PLACEHOLDER), min_size=1, max_size=6).map("".join)


@FUZZ
@given(MSGSTR)
def test_translate_never_crashes_or_allocates_for_a_placeholder(msgstr):
    folder = _folder()
    catalog = polib.POFile()
    catalog.append(polib.POEntry(msgid=MSGID, msgstr=msgstr))
    catalog.save(str(folder / "fr.po"))
    load_catalog.cache_clear()
    with bounded(8 * MB):
        shown = translate(MSGID, "fr", folder, {"name": "Ana", "count": 3, "value": "v"})
    english = "Hello Ana: 3 of 'v'"
    assert shown == english or len(shown) <= len(msgstr) + 3 * len(english)


@FUZZ
@given(st.one_of(st.binary(max_size=600), MSGSTR.map(lambda s: f'msgid "{MSGID}"\nmsgstr "{s}"\n'.encode())))
def test_broken_catalogs_give_english(raw):
    folder = _folder()
    (folder / "fr.po").write_bytes(raw)
    load_catalog.cache_clear()
    with bounded(8 * MB):
        assert isinstance(translate(MSGID, "fr", folder, {"name": "Ana", "count": 3, "value": "v"}), str)


# ---------------------------------------------------------------- kubeconfig

ENTRY = st.dictionaries(st.sampled_from(["name", "context", "cluster", "user", "namespace", "server", "token"]),
                        VALUE, max_size=4)
KUBECONFIG = st.fixed_dictionaries({}, optional={
    "apiVersion": VALUE, "kind": VALUE, "current-context": st.one_of(TEXT, VALUE),
    "clusters": st.one_of(st.lists(ENTRY, max_size=3), VALUE), "users": st.one_of(st.lists(ENTRY, max_size=3), VALUE),
    "contexts": st.one_of(st.lists(ENTRY, max_size=3), VALUE)})


@FUZZ
@given(st.one_of(KUBECONFIG.map(yaml.safe_dump), st.text(max_size=300)), st.one_of(st.none(), TEXT))
def test_kubeconfig_gives_a_client_or_a_clear_error(text, context):
    file = _folder() / "config"
    file.write_text(text, encoding="utf-8")
    with bounded():
        try:
            load_kubeconfig(file)
            client = Connection(kubeconfig=file, context=context or None).api_client()
        except KubelabError:
            return
    client.close()


def test_kubeconfig_syntax_error_names_the_file_and_line(tmp_path):
    file = tmp_path / "config"
    file.write_text("apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: [\n")
    with pytest.raises(KubelabError, match=r"config:\d+: not valid YAML"):
        Connection(kubeconfig=file).api_client()


# ---------------------------------------------------------------- journal and result documents

def _good_record(student: str = "ana") -> dict:
    check = {"id": "c", "title": "T", "message": "m", "points": 1, "status": "pass", "hints": [], "params": {},
             "expected": None, "found": None}
    return {"student": student, "lab": "02-pods", "document": {
        "score": 1, "max": 1, "counts": {"pass": 1, "fail": 0, "error": 0, "skip": 0}, "checks": [check]}}


LINE = st.one_of(st.text(max_size=80).map(str.encode), st.binary(max_size=80),
                 VALUE.map(lambda v: json.dumps(v).encode()),
                 st.just(json.dumps(_good_record("bob")).encode()),
                 st.just(json.dumps(_good_record("cid"))[:40].encode()))


@FUZZ
@given(st.lists(LINE, max_size=8), st.booleans())
def test_journal_keeps_whole_records_and_still_appends(lines, end_newline):
    file = _folder() / JOURNAL
    file.write_bytes(b"\n".join(lines) + (b"\n" if end_newline else b""))
    with bounded():
        journal = Journal(file)
    assert all(usable(r) for r in journal.records.values())
    journal.append(_good_record("zed"))
    assert ("zed", "02-pods") in Journal(file).records


def test_journal_line_missing_a_field_is_skipped_not_fatal(tmp_path):
    record = _good_record("bob")
    del record["document"]["checks"][0]["title"]
    (tmp_path / JOURNAL).write_text(json.dumps(record) + "\n" + json.dumps(_good_record()) + "\n" + '{"stud')
    journal = Journal(tmp_path / JOURNAL)
    assert list(journal.records) == [("ana", "02-pods")] and journal.skipped == [1, 3]


@FUZZ
@given(st.one_of(st.binary(max_size=300), VALUE.map(lambda v: json.dumps(v).encode())))
def test_result_documents_read_tolerantly(raw):
    file = _folder() / "02-pods.json"
    file.write_bytes(raw)
    with bounded():
        data = load_result(file)
    assert data is None or (isinstance(data["score"], int) and isinstance(data["max"], int))


def test_result_documents_are_written_whole(tmp_path):
    document = {"lab": "02-pods", "score": 3, "max": 4, "started": "now"}
    save_result(tmp_path / "r" / "02-pods.json", document)
    assert load_result(tmp_path / "r" / "02-pods.json") == document
    (tmp_path / "r" / "02-pods.json").write_text(json.dumps(document)[:20])  # torn by an older kubelab
    assert load_result(tmp_path / "r" / "02-pods.json") is None
    assert not list((tmp_path / "r").glob(".*.tmp"))


# ---------------------------------------------------------------- output folders and YAML

def test_an_output_folder_that_is_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "grades").write_text("")
    with pytest.raises(UsageError, match="cannot be used as an output folder"):
        writable_folder(tmp_path / "grades")
    assert writable_folder(tmp_path / "new" / "grades").is_dir()


@FUZZ
@given(st.text(max_size=300))
def test_load_yaml_of_random_text(text):
    try:
        load_yaml(text, "f.yaml")
    except UsageError as exc:
        assert str(exc).startswith("f.yaml")


def test_grade_and_provision_refuse_an_out_that_is_a_file(tmp_path, capsys):
    from checkers.cli import main

    kubeconfig = tmp_path / "k.yaml"
    kubeconfig.write_text(yaml.safe_dump({"contexts": [{"name": "c", "context": {"namespace": "n"}}],
                                          "current-context": "c"}))
    roster = tmp_path / "roster.csv"
    roster.write_text(f"id,name,kubeconfig\nana,Ana,{kubeconfig}\n")
    (tmp_path / "out").write_text("")
    for command in (["grade", "--lab", "02-pods"], ["hub", "provision"]):
        assert main([*command, "--roster", str(roster), "--out", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err
        assert "cannot be used as an output folder" in err and "Traceback" not in err

