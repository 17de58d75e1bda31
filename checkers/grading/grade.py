"""Grade every student × lab of a class in parallel, writing each result to a journal as it arrives.

The journal (``results.jsonl``, one JSON record per line, appended and synced
as results arrive) is the run's memory and its history: a run that is
interrupted, even in the middle of a line, resumes by grading only what the
journal lacks, and no line is ever rewritten. Of a student × lab's records the
best one counts (``better``): the most decided (fewest checks in error), the
latest among equals, so a regrade during an outage never replaces a decided
grade. Every record holds the lab's result document, redacted and rendered in
the student's language, and when it was taken (``finished``).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from clusters.api import Client
from clusters.base import Capabilities, Connection, detect_capabilities
from clusters.errors import KubelabError, UsageError, error_kind
from clusters.files import writable_folder
from clusters.i18n import _

from ..lab import Lab, lookup
from ..outcome import N_, error, skipped
from ..runner import CheckResult, LabResult, run_lab
from .redact import redact
from .roster import Student

JOURNAL = "results.jsonl"
MAX_RECORD_BYTES = 16 * 1024 * 1024  # one student × lab with its evidence; a longer line is not a record
STATUSES = ("pass", "fail", "error", "skip")
CHECK_FIELDS = {"id": str, "title": str, "message": str, "points": int, "status": str, "hints": list}
Key = tuple[str, str]  # (student id, lab id)
INSTRUCTOR_RUN = N_("On a shared classroom cluster, students do not do this lab in their namespace: it needs rights "
                    "or cluster-wide resources a student's namespace never gives (nodes, fixed nodePorts, "
                    "LoadBalancers).")


@dataclass(frozen=True)
class Options:
    workers: int = 8
    timeout: float = 5.0  # seconds per API request
    settle: bool = True  # re-read checks whose state is still changing (a rollout in progress)
    language: str = "en"  # feedback language of students whose roster row names none


class Journal:
    """The append-only results file; ``records`` holds the best record of each student × lab (``better``)."""

    def __init__(self, path: Path):
        self.path = path
        self.records: dict[Key, dict] = {}
        self._history: dict[Key, list[dict]] = {}
        self.skipped: list[int] = []  # line numbers that hold no usable record (torn, edited, foreign)
        self._lock = threading.Lock()
        if path.is_file():
            self._read()

    def _read(self) -> None:
        with self.path.open("rb+") as journal:
            for number, line in enumerate(_lines(journal), start=1):
                try:
                    record = json.loads(line)
                except (ValueError, RecursionError):
                    record = None
                if usable(record):
                    self._keep(record)
                elif line.strip():
                    self.skipped.append(number)
            end = journal.seek(0, os.SEEK_END)
            if end:
                journal.seek(end - 1)
                if journal.read(1) != b"\n":  # a line torn by an interruption: the next record starts a new line
                    journal.write(b"\n")

    def append(self, record: dict) -> None:
        line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
        with self._lock, open(os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "a",
                              encoding="utf-8") as out:
            out.write(line)
            out.flush()
            os.fsync(out.fileno())
            self._keep(record)

    def history(self, student: str, lab: str) -> list[dict]:
        """Every record of ``student`` × ``lab``, oldest first."""
        return list(self._history.get((student, lab), []))

    def _keep(self, record: dict) -> None:
        key = (record["student"], record["lab"])
        self._history.setdefault(key, []).append(record)
        if key not in self.records or better(record, self.records[key]):
            self.records[key] = record


def better(new: dict, old: dict) -> bool:
    """Whether ``new`` (taken after ``old``) replaces ``old``: it leaves no more checks undecided."""
    return len(errors_of(new)) <= len(errors_of(old))


class Clients:
    """One Client and one capability reading per distinct connection, made on first use."""

    def __init__(self, default: Connection | None, workers: int):
        self.default = default
        self.workers = workers
        self._made: dict[tuple, tuple[Client, Capabilities] | Exception] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._lock = threading.Lock()

    def connection(self, student: Student) -> Connection:
        if student.on_current_cluster:
            if self.default is None:
                raise UsageError(_("Student {id} is to be graded on the current cluster, but no cluster is reachable.", id=student.id))
            return self.default
        return Connection(kubeconfig=student.kubeconfig, context=student.context)

    def get(self, student: Student) -> tuple[Client, Capabilities]:
        connection = self.connection(student)
        key = (connection.kubeconfig, connection.context, connection.in_cluster)
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._made:
                self._made[key] = self._make(connection)
        made = self._made[key]
        if isinstance(made, Exception):
            raise made
        return made

    def _make(self, connection: Connection):
        try:
            api = connection.api_client(pool_size=self.workers)  # a pool as wide as the workers
            return api, detect_capabilities(api)
        except KubelabError as exc:
            return exc

    def close(self) -> None:
        for made in self._made.values():
            if not isinstance(made, Exception):
                made[0].close()


def select(students: list[Student], labs: list[Lab], journal: Journal, only: list[str] = (),
           retry_errors: bool = False) -> list[tuple[Student, Lab]]:
    """The student × lab pairs to grade now: those the journal lacks, plus the ``only`` ones, plus errored ones."""
    only_students = {s.id for s in students if s.id in only}
    named = {name: lookup(name, labs) for name in only}
    only_labs = {lab.id for lab in named.values() if lab}
    unknown = [n for n in only if n not in only_students and not named[n]]
    if unknown:
        raise UsageError(_("--only {names}: no such student in the roster or lab in this run.",
                           names=", ".join(unknown)))
    chosen = []
    for student in students:
        for lab in labs:
            forced = bool(only) and (not only_students or student.id in only_students) and (
                not only_labs or lab.id in only_labs)
            record = journal.records.get((student.id, lab.id))
            if forced or record is None or (retry_errors and errors_of(record)):
                chosen.append((student, lab))
    return chosen


def grade_class(students: list[Student], labs: list[Lab], out: Path, default: Connection | None,
                options: Options = Options(), only: list[str] = (), retry_errors: bool = False,
                on_result: Callable[[dict], None] | None = None, on_start: Callable[[int], None] | None = None,
                ) -> dict[Key, dict]:
    """Grade what ``select`` picks, in parallel; return the journal's records for the roster × labs."""
    journal = Journal(writable_folder(out) / JOURNAL)
    todo = select(students, labs, journal, only, retry_errors)
    if on_start:
        on_start(len(todo))
    clients = Clients(default, options.workers)
    pool = ThreadPoolExecutor(max_workers=options.workers, thread_name_prefix="kubelab-grade")
    try:
        futures = [pool.submit(grade_one, student, lab, clients, options) for student, lab in todo]
        for future in as_completed(futures):
            record = future.result()
            journal.append(record)
            if on_result:
                on_result(record)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # Ctrl-C: stop now; what is journaled is kept
        clients.close()
    return {(s.id, lab.id): journal.records[(s.id, lab.id)] for s in students for lab in labs
            if (s.id, lab.id) in journal.records}


def grade_one(student: Student, lab: Lab, clients: Clients, options: Options) -> dict:
    """The journal record of one student × lab; never raises."""
    namespace = student.namespace_for(lab.namespace)
    lang = student.lang or options.language
    try:
        if lab.classroom == "instructor" and student.on_current_cluster:  # the classroom: not the student's lab
            result = LabResult(lab, namespace, "grading", "",
                               [CheckResult(c, skipped(INSTRUCTOR_RUN)) for c in lab.checks])
            return _record(student, lab, namespace, lang, result)
        api, capabilities = clients.get(student)
        result = run_lab(lab, api, namespace, capabilities, backend="grading", settle=options.settle,
                         timeout=options.timeout)
    except Exception as exc:  # no connection, or a bug: this student's lab errors, the class goes on
        result = _all_errors(lab, namespace, exc)
    return _record(student, lab, namespace, lang, result)


def _record(student: Student, lab: Lab, namespace: str, lang: str, result: LabResult) -> dict:
    return {"student": student.id, "lab": lab.id, "namespace": namespace, "language": lang,
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "document": redact(result.as_dict(lang))}


def usable(record) -> bool:
    """Whether a journal line holds a whole record of the shape the exports and reports read."""
    try:
        doc = record["document"]
        return (isinstance(record["student"], str) and isinstance(record["lab"], str)
                and all(isinstance(doc[k], int) for k in ("score", "max"))
                and all(isinstance(doc["counts"][s], int) for s in STATUSES)
                and isinstance(doc["checks"], list) and all(map(_usable_check, doc["checks"])))
    except (KeyError, TypeError):
        return False


def _usable_check(item) -> bool:
    return (all(isinstance(item[k], kind) for k, kind in CHECK_FIELDS.items()) and item["status"] in STATUSES
            and all(isinstance(h, str) for h in item["hints"]) and isinstance(item["params"] or {}, dict)
            and isinstance(item["expected"], (str, type(None))) and "found" in item)


def _lines(handle):
    """The lines of a binary file, each at most MAX_RECORD_BYTES (the rest of a longer one is dropped)."""
    while line := handle.readline(MAX_RECORD_BYTES + 1):
        if len(line) > MAX_RECORD_BYTES and not line.endswith(b"\n"):
            while (rest := handle.readline(MAX_RECORD_BYTES)) and not rest.endswith(b"\n"):
                pass
            line = b"{}\n"  # not a record, counted as skipped
        yield line


def errors_of(record: dict) -> list[dict]:
    """The checks of a record that could not be decided: check id, kind (unreachable, timeout, forbidden…), message."""
    found = []
    for item in record["document"]["checks"]:
        if item["status"] == "error":
            found.append({"check": item["id"], "kind": _kind(item), "message": item["message"]})
    return found


def _kind(item: dict) -> str:
    """The kind the run recorded (``clusters.errors.error_kind``), or ``check-crashed`` for a check's own bug."""
    kind = (item.get("params") or {}).get("error_kind")
    return kind if isinstance(kind, str) and kind else "check-crashed"


def _all_errors(lab: Lab, namespace: str, exc: Exception) -> LabResult:
    outcome = error(N_("The cluster could not be read: {error}"), error=str(exc), error_kind=error_kind(exc))
    return LabResult(lab, namespace, "grading", "", [CheckResult(c, outcome) for c in lab.checks])

