"""`kubelab up`, `down`, `status` and `doctor`: the cluster a learner works on."""

from __future__ import annotations

import shutil

import typer
from rich.markup import escape
from rich.table import Table

from clusters import active_backend, backend, default_backend_name
from clusters.base import Status
from clusters.doctor import OK, PROBLEM, WARNING, examine
from clusters.embedded import EmbeddedBackend
from clusters.errors import ExitCode, UsageError
from clusters.i18n import N_, _

from .output import console, print_json, progress_printer

BACKEND_HELP = N_("Backend: embedded, minikube or kubeconfig (default: the running one).")
MARK = {OK: "[green]✓[/green]", WARNING: "[yellow]![/yellow]", PROBLEM: "[red]✗[/red]"}


def _backend(name: str | None):
    return backend(name) if name else active_backend()


def up(
    backend_name: str = typer.Option(None, "--backend", help=N_("Backend: embedded, minikube or kubeconfig.")),
    nodes: int = typer.Option(None, "--nodes", min=1, max=50, help=N_("Number of nodes, control plane included.")),
    real_nodes: int = typer.Option(None, "--real-nodes", min=0, max=1,
                                   help=N_("Embedded cluster: real nodes that run containers (0 or 1; default 0).")),
) -> ExitCode:
    chosen = backend(backend_name or default_backend_name(progress_printer()))
    if real_nodes is not None:
        if not isinstance(chosen, EmbeddedBackend):
            raise UsageError(_("--real-nodes works with the embedded backend only."))
        chosen = EmbeddedBackend(real_nodes=real_nodes)
    status = chosen.start(nodes=nodes, progress=progress_printer())
    _show_status(status)
    return ExitCode.OK


def down(
    backend_name: str = typer.Option(None, "--backend", help=BACKEND_HELP),
    purge: bool = typer.Option(False, "--purge", help=N_("Also delete the cluster's data for good (namespaces, "
                                                         "certificates, kubeconfigs, progress).")),
) -> ExitCode:
    chosen = _backend(backend_name)
    if chosen.name == "kubeconfig" and not backend_name:  # what is active when kubelab runs no cluster
        console.print(_("Nothing to stop: no cluster started by kubelab is running."))
        return ExitCode.OK
    if purge:
        if not chosen.purge(progress=progress_printer()):
            console.print(_("Nothing to delete: kubelab has no {backend} cluster here.", backend=chosen.name))
    elif not chosen.stop(progress=progress_printer()):
        console.print(_("Nothing to stop: no {backend} cluster started by kubelab is running.",
                        backend=chosen.name))
    return ExitCode.OK


def status(
    backend_name: str = typer.Option(None, "--backend", help=BACKEND_HELP),
    as_json: bool = typer.Option(False, "--json", help=N_("Print JSON for tools.")),
) -> ExitCode:
    current = _backend(backend_name).status()
    if as_json:
        print_json(current.as_dict())
    else:
        _show_status(current)
    return ExitCode.OK if current.running else ExitCode.PROBLEM


def doctor(
    backend_name: str = typer.Option(None, "--backend", help=BACKEND_HELP),
    as_json: bool = typer.Option(False, "--json", help=N_("Print JSON for tools.")),
) -> ExitCode:
    report = examine(_backend(backend_name))
    if as_json:
        print_json(report.as_dict())
        return ExitCode.OK if report.healthy else ExitCode.PROBLEM
    console.print(escape(_("Backend: {backend}", backend=report.backend)
                         + (f"   {_('Context: {context}', context=report.context)}" if report.context else "")))
    for finding in report.findings:
        console.print(f"{MARK[finding.severity]} {escape(finding.seen)}")
        if finding.fix and finding.severity != OK:
            console.print(f"    → {escape(finding.fix)}")
    if report.capabilities:
        console.print(_capabilities_line(report.capabilities.as_dict()))
    return ExitCode.OK if report.healthy else ExitCode.PROBLEM


def _capabilities_line(caps: dict) -> str:
    names = {"data_plane": _("data plane"), "ingress": _("ingress"), "load_balancer": _("load balancer"),
             "internet": _("internet"), "dns": _("DNS"), "metrics": _("metrics")}
    parts = [f"{names[k]}: {_('yes') if caps[k] else _('no')}" for k in names]
    return _("Capabilities") + ": " + ", ".join(parts) + f", {_('nodes')}: {caps['nodes']}"


def _show_status(current: Status) -> None:
    if not current.running:
        if current.details.get("stale") or current.details.get("stopped"):
            console.print(_("The {backend} cluster kubelab manages ({path}, API server {server}) is down. "
                            "`kubelab up` brings it back with its data.", backend=current.backend,
                            path=current.details.get("state"), server=current.details.get("server")))
            return
        console.print(_("No {backend} cluster is running. Start one with `kubelab up --backend {backend}`.",
                        backend=current.backend))
        return
    table = Table(show_header=False, box=None)
    table.add_row(_("Backend"), escape(current.backend))
    if current.server:
        table.add_row(_("API server"), escape(current.server))
    if current.connection:
        table.add_row(_("Context"), escape(current.connection.context or "-"))
        table.add_row(_("Kubeconfig"), escape(str(current.details.get("kubeconfig") or current.connection.kubeconfig
                                                  or _("in-cluster credentials"))))  # the learner's file, not the admin one
    node = current.details.get("real_node")
    if node:
        table.add_row(_("Real node"), escape(f"{node['name']} ({node['ip']}, {node['runtime']})"))
    bin_dir = current.details.get("bin")
    if bin_dir:
        table.add_row("kubectl", escape(shutil.which("kubectl", path=bin_dir) or "-"))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(up)
    app.command()(down)
    app.command()(status)
    app.command()(doctor)
