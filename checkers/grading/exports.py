"""The files an instructor takes away: gradebooks (generic, Canvas, Moodle) and the evidence document.

CSV files are UTF-8 without a byte-order mark, comma-separated, one header row.
A student × lab that could not be fully graded (an error, or never reached)
has an empty cell in the LMS files, never a zero: errors cost no points. The
gradebook's ``needs_regrade`` column says ``obstructed`` when the grader was
refused in the student's namespace (its access removed or narrowed; the
evidence is in ``results.json`` and the report), else ``yes``. Every record is
the best of the journal's (``grade.better``), with the time it was taken.

Canvas: the Gradebook import matches students by ``Student``/``ID``/``SIS User
ID``, needs ``SIS Login ID`` and ``Section`` columns, and creates an assignment
for each new column; a column named ``Title (assignment id)`` updates that
assignment. Canvas's own export carries a ``Points Possible`` row, kept here.
Moodle: Grade administration → Import → CSV file; map "Identify user by" to the
``ID number`` or ``Email address`` column, and each lab column (and its
feedback column) to a grade item. See docs/instructors.md for the citations.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from clusters.errors import OBSTRUCTED
from clusters.files import write_atomic

from ..lab import Lab
from .grade import errors_of
from .roster import Student

SCHEMA = "kubelab.grades/v1"
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_IDENTITY = ["ID number", "Email address", "Full name"]
PRIVATE = 0o600  # the exports hold names, emails and grades: for their owner only
# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV Injection"; ASVS 1.2.10 adds NUL;
# the full-width forms are read as formulas by some East Asian locales of Excel)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "\uff1d", "\uff0b", "\uff0d", "\uff20")


@dataclass(frozen=True)
class Cell:
    """One student × lab in a gradebook."""

    graded: bool
    score: int = 0
    max: int = 0
    errors: int = 0
    obstructed: bool = False
    taken: str = ""

    @property
    def final(self) -> bool:
        """Whether the score may go to an LMS: graded, and every check decided."""
        return self.graded and not self.errors


def cell(record: dict | None) -> Cell:
    if record is None:
        return Cell(False)
    doc = record["document"]
    obstructed = any(e["kind"] == OBSTRUCTED for e in errors_of(record))
    return Cell(True, doc["score"], doc["max"], doc["counts"]["error"], obstructed, record.get("finished", ""))


def points_possible(lab: Lab, records: dict) -> int:
    """The lab's points at stake on this class's clusters: the most any fully graded student could score."""
    maxima = [r["document"]["max"] for (_, lab_id), r in records.items() if lab_id == lab.id and not errors_of(r)]
    return max(maxima, default=sum(c.points for c in lab.checks))


def write_all(out: Path, students: list[Student], labs: list[Lab], records: dict,
              canvas_ids: dict[str, str] | None = None, roster: Path | None = None) -> dict[str, Path]:
    """Every export into ``out``; returns the paths by name."""
    paths = {"gradebook": out / "gradebook.csv", "canvas": out / "canvas.csv", "moodle": out / "moodle.csv",
             "results": out / "results.json"}
    _write_csv(paths["gradebook"], *gradebook_rows(students, labs, records))
    _write_csv(paths["canvas"], *canvas_rows(students, labs, records, canvas_ids or {}))
    _write_csv(paths["moodle"], *moodle_rows(students, labs, records))
    write_atomic(paths["results"], json.dumps(results_document(students, labs, records, roster, out), indent=1,
                                              ensure_ascii=False, sort_keys=True), PRIVATE)
    return paths


def gradebook_rows(students, labs, records) -> tuple[list[str], list[list]]:
    header = ["student_id", "name", "email"]
    for lab in labs:
        header += [lab.id, f"{lab.id} max", f"{lab.id} errors"]
    header += ["total", "max", "percent", "needs_regrade"]
    rows = []
    for s in students:
        cells = [cell(records.get((s.id, lab.id))) for lab in labs]
        row = [s.id, s.name, s.email]
        for c in cells:
            row += [c.score if c.graded else "", c.max if c.graded else "", c.errors if c.graded else ""]
        total, maximum = sum(c.score for c in cells), sum(c.max for c in cells)
        regrade = "obstructed" if any(c.obstructed for c in cells) else ("yes" if any(not c.final for c in cells)
                                                                         else "")
        row += [total, maximum, f"{100 * total / maximum:.1f}" if maximum else "", regrade]
        rows.append(row)
    return header, rows


def canvas_rows(students, labs, records, canvas_ids: dict[str, str]) -> tuple[list[str], list[list]]:
    titles = [f"kubelab {lab.id}" + (f" ({canvas_ids[lab.id]})" if lab.id in canvas_ids else "") for lab in labs]
    possible = ["Points Possible", "", "", "", ""] + [points_possible(lab, records) for lab in labs]
    rows = [possible]
    for s in students:
        cells = [cell(records.get((s.id, lab.id))) for lab in labs]
        rows.append([s.name, "", s.id, s.email, ""] + [c.score if c.final else "" for c in cells])
    return CANVAS_IDENTITY + titles, rows


def moodle_rows(students, labs, records) -> tuple[list[str], list[list]]:
    header = list(MOODLE_IDENTITY)
    for lab in labs:
        header += [f"kubelab {lab.id}", f"kubelab {lab.id} feedback"]
    rows = []
    for s in students:
        row = [s.id, s.email, s.name]
        for lab in labs:
            record = records.get((s.id, lab.id))
            c = cell(record)
            row += [c.score if c.final else "", _short_feedback(record) if record else ""]
        rows.append(row)
    return header, rows


def results_document(students, labs, records, roster: Path | None = None, out: Path | None = None) -> dict:
    """Every outcome with the evidence each check looked at (secret values redacted), for regrade disputes."""
    errors = [{"student": sid, "lab": lab_id, **e} for (sid, lab_id), r in sorted(records.items())
              for e in errors_of(r)]
    missing = [{"student": s.id, "lab": lab.id} for s in students for lab in labs if (s.id, lab.id) not in records]
    return {
        "schema": SCHEMA,
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "labs": [{"id": lab.id, "title": lab.title, "points_possible": points_possible(lab, records),
                  "checks": [{"id": c.id, "points": c.points} for c in lab.checks]} for lab in labs],
        "students": [{"id": s.id, "name": s.name, "email": s.email, "language": s.lang,
                      "labs": {lab.id: records.get((s.id, lab.id)) for lab in labs}} for s in students],
        "errors": errors,
        "not_graded": missing,
        "rerun": rerun_commands(errors + missing, roster, out),
    }


def rerun_commands(items: list[dict], roster: Path | None, out: Path | None) -> list[str]:
    """One `kubelab grade --only` per student × lab that needs grading again."""
    pairs = sorted({(i["student"], i["lab"]) for i in items})
    base = f"kubelab grade --roster {roster or 'ROSTER'} --out {out or 'OUT'}"
    return [f"{base} --lab {lab} --only {student}" for student, lab in pairs]


def _short_feedback(record: dict) -> str:
    doc = record["document"]
    failed = [c["title"] for c in doc["checks"] if c["status"] == "fail"]
    return f"{doc['score']}/{doc['max']}" + (" — " + "; ".join(failed) if failed else "")


def neutralise(value):
    """A cell as text a spreadsheet shows and never evaluates: a leading ``'`` before a formula character
    (OWASP's rule); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow([neutralise(v) for v in header])
    writer.writerows([neutralise(v) for v in row] for row in rows)
    write_atomic(path, text.getvalue(), PRIVATE)
