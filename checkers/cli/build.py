"""`kubelab build`: catalogs and notebooks from the labs' sources; `--check` proves the catalogs are up to date
and every notebook builds, the same twice. `kubelab notebooks`: the learner's working copy of the notebooks."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from clusters.errors import ExitCode
from clusters.files import write_atomic
from clusters.i18n import N_, _

from ..l10n import TRANSLATED, catalog_status, core_catalogs, lab_catalogs
from ..lab import all_labs, labs_root
from ..notebook_build import all_notebooks, notebooks_root, write_notebooks
from ..workspace import copy_notebooks, default_workspace
from .output import console, print_json


SOURCE_TREE = Path(__file__).resolve().parents[2]


def expected_catalogs() -> dict[Path, str]:
    """Every translation catalog as a fresh build makes it: path → content.

    The core catalogs belong to kubelab's source tree: a build of labs kept elsewhere
    (``KUBELAB_LABS``) leaves them alone.
    """
    own_labs = labs_root().resolve() == SOURCE_TREE / "labs"
    files = core_catalogs(SOURCE_TREE) if own_labs else {}
    for lab in all_labs():
        files.update(lab_catalogs(lab))
    return files


def build(check: bool = typer.Option(False, "--check", help=N_("Only report what a build would change.")),
          notebooks_only: bool = typer.Option(False, "--notebooks-only",
                                              help=N_("Write only the notebooks; leave the catalogs as they are."))
          ) -> ExitCode:
    catalogs = {} if notebooks_only else expected_catalogs()
    stale = [p for p, text in catalogs.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    if check:
        first, second = all_notebooks(all_labs()), all_notebooks(all_labs())
        unstable = [path for path, text in first.items() if second.get(path) != text]
        for path in stale:
            console.print(escape(_("stale: {path}", path=path)))
        for path in unstable:
            console.print(escape(_("not the same in two builds: {path}", path=path)))
        if stale or unstable:
            console.print(_("Run `kubelab build` and commit the result."))
            return ExitCode.PROBLEM
        console.print(_("The catalogs are up to date and every notebook builds the same way twice."))
        return ExitCode.OK
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, catalogs[path])
    written, removed = write_notebooks(all_labs())
    console.print(_("{count} files written, {removed} removed.", count=len(stale) + len(written), removed=len(removed)))
    if not notebooks_only:
        _show_status()
    return ExitCode.OK


def notebooks(
    workspace: Path = typer.Argument(None, help=N_("The folder to work in; the notebooks go into its notebooks/ "
                                                   "(default: your kubelab workspace).")),
    as_json: bool = typer.Option(False, "--json", help=N_("Print JSON for tools.")),
) -> ExitCode:
    target = (workspace or default_workspace()) / "notebooks"
    copied = copy_notebooks(notebooks_root(), target)
    if as_json:
        print_json({"folder": str(target), **copied})
        return ExitCode.OK
    for name in copied["kept"]:
        console.print(escape(_("kept your changed {name}; the new version is {path}", name=name,
                               path=notebooks_root() / name)))
    console.print(escape(_("Your notebooks are in {folder} ({added} added, {updated} updated).", folder=target,
                           added=len(copied["added"]), updated=len(copied["updated"]))))
    return ExitCode.OK


def _show_status() -> None:
    table = Table(_("Lab"), *TRANSLATED, title=_("Translated / outdated / missing"))
    for lab in all_labs():
        cells = []
        for lang in TRANSLATED:
            status = catalog_status(lab.locales / f"{lang}.po")
            cells.append(f"{status.translated}/{status.fuzzy}/{status.untranslated}")
        table.add_row(lab.id, *cells)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(build)
    app.command()(notebooks)
