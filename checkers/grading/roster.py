"""The class roster: a CSV of students and where each one's work lives, validated all at once.

Columns (header required, any order): ``id`` and ``name`` (required),
``email``, ``namespace``, ``kubeconfig``, ``context``, ``lang`` (optional).
A student without ``kubeconfig``/``context`` is graded on the current cluster;
without ``namespace``, in ``lab-<id>`` (the JupyterHub classroom's namespace)
when on the current cluster, else in the context's namespace or the lab's own.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from clusters.base import load_kubeconfig
from clusters.errors import KubelabError, UsageError
from clusters.files import read_bounded, short_repr
from clusters.i18n import LANGUAGES, _, normalize

COLUMNS = ("id", "name", "email", "namespace", "kubeconfig", "context", "lang")
STUDENT_ID = re.compile(r"^[a-z0-9]([-a-z0-9]{0,46}[a-z0-9])?$")  # lab-<id> stays a DNS label
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RESERVED_IDS = frozenset({"grader"})  # kubelab's own identities: hub.GRADER_FILE names grader.kubeconfig
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc; every other printable character is fine
MAX_ROSTER_BYTES = 32 * 1024 * 1024  # a 100 000-student roster is ~5 MB
MAX_CELL = {"name": 256, "email": 254, "kubeconfig": 4096, "context": 253}  # characters; others have patterns


@dataclass(frozen=True)
class Student:
    id: str
    name: str
    line: int
    email: str = ""
    namespace: str = ""  # empty: decided per lab (see module docstring)
    kubeconfig: Path | None = None
    context: str | None = None
    lang: str = ""

    @property
    def on_current_cluster(self) -> bool:
        return self.kubeconfig is None and self.context is None

    def namespace_for(self, lab_namespace: str) -> str:
        if self.namespace:
            return self.namespace
        return f"lab-{self.id}" if self.on_current_cluster else lab_namespace


class RosterError(UsageError):
    """The roster has bad rows; ``problems`` lists every one as (line, message)."""

    def __init__(self, file: Path, problems: list[tuple[int, str]]):
        self.problems = problems
        lines = "\n".join(_("  line {line}: {problem}", line=line, problem=problem) for line, problem in problems)
        super().__init__(_("{file}: {count} problem(s), nothing was graded:\n{lines}", file=file,
                           count=len(problems), lines=lines))


def read_roster(file: Path) -> list[Student]:
    """Every student of ``file``; raise RosterError listing every bad row (line number, what is wrong)."""
    text = read_bounded(file, MAX_ROSTER_BYTES).removeprefix("\ufeff")  # spreadsheets save a BOM
    rows = csv.reader(io.StringIO(text, newline=""))  # only CR/LF end a row: U+2028 may be inside a name
    try:
        header = [h.strip().lower() for h in next(rows, [])]
    except csv.Error as exc:
        raise RosterError(file, [(rows.line_num, _("not valid CSV ({error}).", error=exc))]) from exc
    problems: list[tuple[int, str]] = []
    unknown = [h for h in header if h not in COLUMNS]
    if unknown or "id" not in header or "name" not in header or len(set(header)) != len(header):
        problems.append((1, _("the header must name the columns id, name and optionally {optional}; found {found}.",
                              optional=", ".join(COLUMNS[2:]), found=(", ".join(header) or "nothing")[:500])))
        raise RosterError(file, problems)
    students: list[Student] = []
    seen_ids: dict[str, int] = {}
    seen_places: dict[tuple, int] = {}
    contexts: dict[tuple, tuple] = {}  # one reading per kubeconfig × context, however many students share it
    while True:
        try:
            cells = next(rows, None)
        except csv.Error as exc:  # a cell over 128 KB, a NUL byte: the rest cannot be read reliably
            problems.append((rows.line_num, _("not valid CSV ({error}); the rows after it were not read.",
                                              error=exc)))
            break
        if cells is None:
            break
        line = rows.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append((line, _("{count} cells, but the header has {columns} columns.", count=len(cells),
                                     columns=len(header))))
            continue
        row = {k: v.strip() for k, v in zip(header, cells)}
        student, row_problems = _student(row, line, file.parent, contexts)
        problems += [(line, p) for p in row_problems]
        if student is None:
            continue
        if student.id in seen_ids:
            problems.append((line, _("student id {id} is already on line {other}.", id=student.id,
                                     other=seen_ids[student.id])))
        place = (student.kubeconfig, student.context, student.namespace_for(""))
        if student.id not in seen_ids and student.namespace_for("") and place in seen_places:
            problems.append((line, _("namespace {namespace} is already the work of the student on line {other}.",
                                     namespace=student.namespace_for(""), other=seen_places[place])))
        seen_ids.setdefault(student.id, line)
        seen_places.setdefault(place, line)
        students.append(student)
    if not problems and not students:
        problems.append((1, _("no students.")))
    if problems:
        raise RosterError(file, sorted(problems))
    return students


def _student(row: dict, line: int, folder: Path, contexts: dict) -> tuple[Student | None, list[str]]:
    problems = [_("the {column} column holds a control character (a tab, a line break…).", column=column)
                for column, value in row.items() if CONTROL.search(value)]
    problems += [_("the {column} column is longer than {limit} characters.", column=column, limit=limit)
                 for column, limit in MAX_CELL.items() if len(row.get(column, "")) > limit]
    if problems:
        return None, problems
    sid, name, email = row.get("id", ""), row.get("name", ""), row.get("email", "")
    if not STUDENT_ID.match(sid):
        problems.append(_("id {id!r} must be 1–48 lower-case letters, digits or dashes (it names lab-<id>).",
                          id=short_repr(sid)))
    elif sid in RESERVED_IDS:
        problems.append(_("id {id} is reserved for kubelab's own use; choose another.", id=sid))
    if not name:
        problems.append(_("the name is empty."))
    if email and not EMAIL.match(email):
        problems.append(_("{email!r} is not an email address.", email=short_repr(email)))
    namespace = row.get("namespace", "")
    if namespace and not DNS_LABEL.match(namespace):
        problems.append(_("namespace {namespace!r} is not a DNS label (lower case, digits, dashes).",
                          namespace=short_repr(namespace)))
    lang = row.get("lang", "")
    if lang and normalize(lang) is None:
        problems.append(_("language {lang!r} is not one of {languages}.", lang=short_repr(lang),
                          languages=", ".join(LANGUAGES)))
    kubeconfig = Path(row["kubeconfig"]) if row.get("kubeconfig") else None
    if kubeconfig and str(kubeconfig).startswith("~"):
        try:
            kubeconfig = kubeconfig.expanduser()
        except RuntimeError:  # ~someone who does not exist
            pass
    if kubeconfig and not kubeconfig.is_absolute():
        kubeconfig = folder / kubeconfig
    context = row.get("context") or None
    if (kubeconfig, context) not in contexts:
        contexts[(kubeconfig, context)] = _context(kubeconfig, context)
    connection_problem, context, context_namespace = contexts[(kubeconfig, context)]
    problems += [connection_problem] if connection_problem else []
    if problems:
        return None, problems
    return Student(sid, name, line, email, namespace or context_namespace, kubeconfig, context,
                   normalize(lang) or ""), []


def _context(kubeconfig: Path | None, context: str | None) -> tuple[str | None, str | None, str]:
    """(what is wrong with the kubeconfig and context, or None; the context's name; its namespace)."""
    if kubeconfig is None:
        return None, context, ""
    try:
        data = load_kubeconfig(kubeconfig)
    except KubelabError as exc:
        return _("kubeconfig {file} cannot be used: {error}", file=kubeconfig, error=exc), None, ""
    contexts = {c.get("name"): c.get("context") for c in data.get("contexts") or [] if isinstance(c.get("name"), str)}
    wanted = context or data.get("current-context")
    if not wanted or not isinstance(wanted, str):
        return _("kubeconfig {file} has no current context; add a context column.", file=kubeconfig), None, ""
    if wanted not in contexts:
        return _("kubeconfig {file} has no context {context}; it has: {contexts}.", file=kubeconfig, context=wanted,
                 contexts=(", ".join(contexts) or "none")[:500]), None, ""
    namespace = contexts[wanted].get("namespace") if isinstance(contexts[wanted], dict) else None
    return None, wanted, namespace if isinstance(namespace, str) else ""
