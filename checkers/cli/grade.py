"""`kubelab grade`: grade a whole class from the live clusters and write the gradebooks."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from clusters import active_backend
from clusters.base import Connection
from clusters.errors import ExitCode, UsageError
from clusters.i18n import N_, _, current_language

from ..grading.exports import write_all
from ..grading.feedback import write_feedback
from ..grading.grade import JOURNAL, Options, errors_of, grade_class
from ..grading.report import write_report
from ..grading.roster import read_roster
from ..lab import all_labs, find_lab
from .output import console, console_err


def grade(
    roster: Path = typer.Option(..., "--roster", help=N_("Class CSV: id, name[, email, namespace, kubeconfig, "
                                                         "context, lang].")),
    lab_names: list[str] = typer.Option(None, "--lab", help=N_("A lab to grade (repeat; default: every lab).")),
    out: Path = typer.Option(Path("grades"), "--out", help=N_("Folder for the journal, gradebooks and reports.")),
    only: list[str] = typer.Option(None, "--only", help=N_("Grade again only this student or lab (repeat).")),
    retry_errors: bool = typer.Option(False, "--retry-errors", help=N_("Grade again what could not be decided.")),
    fresh: bool = typer.Option(False, "--fresh", help=N_("Forget earlier results in --out and grade everything.")),
    workers: int = typer.Option(8, "--workers", min=1, max=64, help=N_("Student labs graded at once.")),
    timeout: float = typer.Option(5.0, "--timeout", min=0.5, help=N_("Seconds to wait for each API request.")),
    no_settle: bool = typer.Option(False, "--no-settle", help=N_("Do not wait for state that is still changing.")),
    kubeconfig: Path = typer.Option(None, "--kubeconfig", help=N_("The grader's kubeconfig for students on the "
                                                                 "current cluster (default: the active cluster).")),
    context: str = typer.Option(None, "--context", help=N_("The context in --kubeconfig.")),
    canvas_ids: list[str] = typer.Option(None, "--canvas-id", help=N_("LAB=ID: update Canvas assignment ID.")),
) -> ExitCode:
    students = read_roster(roster)
    labs = [find_lab(name) for name in lab_names] if lab_names else all_labs()
    ids = _canvas_ids(canvas_ids or [])
    if fresh and (out / JOURNAL).is_file():
        (out / JOURNAL).unlink()
    default = _grader_connection(kubeconfig, context) if any(s.on_current_cluster for s in students) else None
    options = Options(workers=workers, timeout=timeout, settle=not no_settle, language=current_language())
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console_err, transient=False) as progress:
        task = progress.add_task(_("Grading"), total=None)
        errored = 0

        def started(count: int) -> None:
            progress.update(task, total=count)

        def arrived(record: dict) -> None:
            nonlocal errored
            errored += bool(errors_of(record))
            progress.update(task, advance=1, description=_("Grading ({count} with errors)", count=errored))

        records = grade_class(students, labs, out, default, options, only or [], retry_errors, arrived, started)
    paths = write_all(out, students, labs, records, ids, roster)
    paths["feedback"] = out / "feedback"
    write_feedback(paths["feedback"], students, labs, records, current_language())
    paths["report"] = write_report(out / "report.html", students, labs, records)
    return _summary(students, labs, records, paths)


def _grader_connection(kubeconfig: Path | None, context: str | None) -> Connection:
    if kubeconfig or context:
        return Connection(kubeconfig=kubeconfig, context=context)
    return active_backend().connection()


def _canvas_ids(pairs: list[str]) -> dict[str, str]:
    ids = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not value.strip():
            raise UsageError(_("--canvas-id {value}: write LAB=ID, like 03-deployments=1234.", value=pair))
        ids[find_lab(name).id] = value.strip()
    return ids


def _summary(students, labs, records, paths) -> ExitCode:
    errors = [(key, e) for key, r in sorted(records.items()) for e in errors_of(r)]
    missing = len(students) * len(labs) - len(records)
    failed = any(r["document"]["counts"]["fail"] for r in records.values())
    console.print(_("Graded {done} of {all} student labs.", done=len(records), all=len(students) * len(labs)))
    if errors:
        console.print(_("[yellow]⚠[/yellow] {count} checks could not be decided (they cost no points):",
                        count=len(errors)))
        for (student, lab), item in errors[:20]:
            console.print(escape(f"    {student} {lab} {item['check']}: {item['kind']}"))
        console.print(_("Grade them again with `--retry-errors`, or `--only STUDENT --lab LAB`."))
    for name, path in paths.items():
        console.print(escape(f"  {name}: {path}"))
    return ExitCode.CANNOT_RUN if errors or missing else (ExitCode.PROBLEM if failed else ExitCode.OK)


def register(app: typer.Typer) -> None:
    app.command()(grade)
