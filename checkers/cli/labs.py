"""`kubelab labs`, `start`, `check`, `solve` and `reset`: working through a lab."""

from __future__ import annotations

import typer
from rich.markup import escape

from clusters import active_backend
from clusters.api import ApiError
from clusters.errors import ExitCode
from clusters.i18n import N_, _, current_language, translate

from ..display import SYMBOLS, rows
from ..lab import Lab, all_labs, find_lab, working_namespace
from ..runner import LabResult, last_result, remember, run_live
from .output import console, print_json, progress_printer

MARKS = {status: f"[{style}]{SYMBOLS[status]}[/{style}]"
         for status, style in (("pass", "green"), ("fail", "red"), ("error", "yellow"), ("skip", "dim"))}
NAMESPACE_HELP = N_("Namespace to use (default: $KUBELAB_NAMESPACE, else the lab's own).")


def _cluster():
    backend = active_backend()
    connection = backend.connection()
    return backend, connection


def labs(as_json: bool = typer.Option(False, "--json", help=N_("Print JSON for tools."))) -> ExitCode:
    from rich.table import Table  # here: `check` (the same module) has no table

    catalog = all_labs()
    backend, capabilities, server = None, None, None
    try:
        backend, connection = _cluster()
        api = connection.api_client()
        try:
            server = api.host
            capabilities = backend.capabilities(api)
        finally:
            api.close()
    except (ApiError, Exception):  # no cluster: still show the catalog
        capabilities = None
    rows = [_catalog_row(lab, capabilities, backend, server) for lab in catalog]
    if as_json:
        print_json(rows)
        return ExitCode.OK
    table = Table(_("Lab"), _("Title"), _("Minutes"), _("Can run here"), _("Your progress"))
    for row in rows:
        runnable = "?" if row["runnable"] is None else ("✓" if row["runnable"] else "✗ " + ", ".join(row["missing"]))
        if row["runnable"] and row["checkable"] < row["checks"]:
            runnable += " " + _("{count} of {total} checks", count=row["checkable"], total=row["checks"])
        if row["enable"]:
            runnable += f" → {row['enable']}"
        progress = f"{row['progress']['score']}/{row['progress']['max']}" if row["progress"] else "-"
        table.add_row(*(escape(str(cell)) for cell in (row["id"], row["title"], row["minutes"], runnable, progress)))
    console.print(table)
    return ExitCode.OK


def _catalog_row(lab: Lab, capabilities, backend, server: str | None) -> dict:
    """One catalog line: can the lab run here, how many of its checks, and the command for the rest."""
    missing, checkable, enable = [], None, None
    if capabilities is not None:
        missing = capabilities.missing(lab.needs)
        lacking = {name: wanted for c in lab.checks for name, wanted in c.needs.items()
                   if name in capabilities.missing(c.needs)}
        checkable = sum(1 for c in lab.checks if not capabilities.missing(c.needs))
        wanted = {**lacking, **{name: lab.needs[name] for name in missing}}
        enable = next((cmd for cmd in (backend.enable_command(n, w) for n, w in wanted.items()) if cmd), None)
    progress = last_result(backend, server, working_namespace(lab), lab.id)
    return {"id": lab.id, "title": translate(lab.title, extra=lab.locales), "minutes": lab.minutes,
            "needs": lab.needs, "requires": list(lab.requires), "runnable": None if capabilities is None else not missing,
            "missing": missing, "checks": len(lab.checks), "checkable": checkable, "enable": enable,
            "progress": progress}


def start(lab_name: str = typer.Argument(..., help=N_("Lab id, number or name.")),
          namespace: str = typer.Option(None, "--namespace", "-n", help=NAMESPACE_HELP)) -> ExitCode:
    lab = find_lab(lab_name)
    _backend, connection = _cluster()
    ns = working_namespace(lab, namespace)
    progress_printer()(_("Starting {lab} in namespace {namespace}…", lab=lab.id, namespace=ns))
    from .. import actions  # the writes, through kubectl: imported here because `check` never needs them

    actions.start(lab, connection, ns)
    console.print(escape(_("Ready. Work in namespace {namespace}: `kubectl config set-context --current "
                           "--namespace={namespace}`", namespace=ns)))
    return ExitCode.OK


def solve(lab_name: str = typer.Argument(..., help=N_("Lab id, number or name.")),
          namespace: str = typer.Option(None, "--namespace", "-n", help=NAMESPACE_HELP)) -> ExitCode:
    lab = find_lab(lab_name)
    _backend, connection = _cluster()
    from .. import actions

    actions.solve(lab, connection, working_namespace(lab, namespace))
    console.print(escape(_("The reference solution of {lab} is applied. Run `kubelab check {lab}` to see it pass.",
                           lab=lab.id)))
    return ExitCode.OK


def reset(lab_name: str = typer.Argument(..., help=N_("Lab id, number or name.")),
          namespace: str = typer.Option(None, "--namespace", "-n", help=NAMESPACE_HELP)) -> ExitCode:
    lab = find_lab(lab_name)
    _backend, connection = _cluster()
    from .. import actions

    actions.reset(lab, connection, working_namespace(lab, namespace))
    console.print(escape(_("{lab} is back at its starting state.", lab=lab.id)))
    return ExitCode.OK


def check(
    lab_name: str = typer.Argument(..., help=N_("Lab id, number or name.")),
    check_id: str = typer.Argument(None, help=N_("Run only this check.")),
    namespace: str = typer.Option(None, "--namespace", "-n", help=NAMESPACE_HELP),
    as_json: bool = typer.Option(False, "--json", help=N_("Print JSON for tools.")),
    hints: int = typer.Option(1, "--hints", min=0, max=3, help=N_("How many hints to show per failed check.")),
) -> ExitCode:
    lab = find_lab(lab_name)
    if check_id:
        lab.check(check_id)
    backend, connection = _cluster()
    result = run_live(lab, connection, working_namespace(lab, namespace), backend,
                      only=[check_id] if check_id else None)
    document = result.as_dict(current_language())
    remember(document, backend)
    if as_json:
        print_json(document)
    else:
        _show(result, document, hints)
    return exit_code(result)


def exit_code(result: LabResult) -> ExitCode:
    """CANNOT_RUN if any check could not decide, else PROBLEM if any failed, else OK."""
    if result.count("error"):
        return ExitCode.CANNOT_RUN
    return ExitCode.PROBLEM if result.count("fail") else ExitCode.OK


def _show(result: LabResult, document: dict, hints: int) -> None:
    console.print(escape(_("{lab} in namespace {namespace}", lab=result.lab.id, namespace=result.namespace)))
    for row in rows(document, errors_once=True):
        console.print(f"{MARKS[row.status]} [bold]{escape(row.title)}[/bold] [dim]({escape(row.id)})[/dim]")
        if row.message is not None:
            console.print(f"    {escape(row.message)}")
        if row.expected is not None:
            console.print(f"    {_('expected')}: {escape(row.expected)}   {_('found')}: {escape(row.found)}")
        for level, hint in enumerate(row.hints[:hints], start=1):
            console.print(f"    💡 {_('Hint {level}', level=level)}: {escape(hint)}")
    console.print(_("Score: {score}/{max}", score=document["score"], max=document["max"])
                  + (f"  ({_('{count} could not be checked', count=document['counts']['error'])})"
                     if document["counts"]["error"] else ""))


def register(app: typer.Typer) -> None:
    app.command()(labs)
    app.command()(start)
    app.command()(check)
    app.command()(solve)
    app.command()(reset)
