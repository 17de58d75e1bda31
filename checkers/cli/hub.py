"""`kubelab hub provision` and `deprovision`: the JupyterHub classroom's namespaces, identities and rights."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape

from clusters import active_backend
from clusters.base import Connection
from clusters.errors import ExitCode, UsageError
from clusters.files import writable_folder
from clusters.i18n import N_, _

from .. import hub as classroom
from ..grading.roster import read_roster
from ..lab import all_labs
from .output import console, progress_printer

hub_app = typer.Typer(no_args_is_help=True)  # its help: checkers.cli.COMMANDS
HUB_NAMESPACE_HELP = N_("The namespace JupyterHub runs in (its notebook pods and ServiceAccounts).")


def _admin(kubeconfig: Path | None, context: str | None) -> Connection:
    if kubeconfig or context:
        return Connection(kubeconfig=kubeconfig, context=context)
    return active_backend().connection()


@hub_app.command(help=N_("Create or update each student's namespace, ServiceAccount, rights, quota and "
                        "kubeconfig, the read-only grader, and the hub's ServiceAccount with what KubeSpawner "
                        "needs."))
def provision(
    roster: Path = typer.Option(..., "--roster", help=N_("Class CSV (the id column names lab-<id>).")),
    hub_namespace: str = typer.Option("jhub", "--hub-namespace", help=HUB_NAMESPACE_HELP),
    out: Path = typer.Option(Path("kubeconfigs"), "--out", help=N_("Folder for the kubeconfig files.")),
    token_hours: int = typer.Option(24 * 120, "--token-hours", min=1, help=N_("Lifetime of the tokens, in hours.")),
    server: str = typer.Option(None, "--server", help=N_("API server address to write in the kubeconfigs.")),
    dry_run: bool = typer.Option(False, "--dry-run", help=N_("Print the YAML; change nothing.")),
    kubeconfig: Path = typer.Option(None, "--kubeconfig", help=N_("An admin kubeconfig (default: active cluster).")),
    context: str = typer.Option(None, "--context", help=N_("The context in --kubeconfig.")),
) -> ExitCode:
    students = read_roster(roster)
    ids, languages = [s.id for s in students], {s.id: s.lang for s in students if s.lang}
    room = classroom.Classroom(hub_namespace=hub_namespace)
    if dry_run:
        for document in classroom.dump(classroom.manifests(ids, room, languages)):
            print(document, end="", flush=True)
        return ExitCode.OK
    writable_folder(out)
    api = _admin(kubeconfig, context).api_client()
    try:
        count = classroom.provision(api, ids, room, progress_printer(), languages)
        files = classroom.write_kubeconfigs(api, ids, room, out, token_hours, server)
    finally:
        api.close()
    console.print(escape(_("{count} objects applied for {students} students; kubeconfigs in {folder} ({files} files).",
                           count=count, students=len(ids), folder=out, files=len(files))))
    instructor = [lab.id for lab in all_labs() if lab.classroom == "instructor"]
    if instructor:
        console.print(_("Labs that need rights students never get here (run them yourself, or give students "
                        "their own cluster): {labs}.", labs=", ".join(instructor)))
    return ExitCode.OK


@hub_app.command(help=N_("Delete the students' namespaces (with their work) and identities: only objects "
                        "labelled as kubelab's; shows them and asks first."))
def deprovision(
    roster: Path = typer.Option(..., "--roster", help=N_("Class CSV.")),
    hub_namespace: str = typer.Option("jhub", "--hub-namespace", help=HUB_NAMESPACE_HELP),
    everything: bool = typer.Option(False, "--all", help=N_("Also remove the grader, the hub's ServiceAccount and "
                                                            "the shared roles.")),
    yes: bool = typer.Option(False, "--yes", help=N_("Delete without asking.")),
    kubeconfig: Path = typer.Option(None, "--kubeconfig", help=N_("An admin kubeconfig (default: active cluster).")),
    context: str = typer.Option(None, "--context", help=N_("The context in --kubeconfig.")),
) -> ExitCode:
    ids = [s.id for s in read_roster(roster)]
    api = _admin(kubeconfig, context).api_client()
    try:
        plan = classroom.deprovision_plan(api, ids, classroom.Classroom(hub_namespace=hub_namespace), everything)
        if not plan:
            console.print(_("Nothing to delete: no object of these students is labelled as kubelab's."))
            return ExitCode.OK
        console.print(_("These {count} objects will be deleted (a namespace with everything in it):", count=len(plan)))
        for obj in plan:
            console.print(f"  {escape(classroom.describe(obj))}")
        if not yes:
            if not sys.stdin.isatty():
                raise UsageError(_("Nothing was deleted: confirm with --yes (the input is not a terminal to ask "
                                   "on)."))
            if not typer.confirm(_("Delete them?"), default=False):
                console.print(_("Nothing was deleted."))
                return ExitCode.PROBLEM
        count = classroom.deprovision(api, plan, progress_printer())
    finally:
        api.close()
    console.print(_("{count} objects deleted.", count=count))
    return ExitCode.OK


def register(app: typer.Typer) -> None:
    app.add_typer(hub_app, name="hub")
