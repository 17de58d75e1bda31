"""`kubelab build`: catalogs and notebooks from the labs' sources; `--check` proves they are up to date."""

from __future__ import annotations

from pathlib import Path

import polib
import typer
from rich.markup import escape
from rich.table import Table

from clusters.errors import ExitCode
from clusters.i18n import LANGUAGES, N_, _

from ..l10n import TRANSLATED, catalog_status, core_catalogs, lab_catalogs
from ..lab import all_labs, labs_root
from ..notebook_build import notebook_path, notebooks_root, render
from .output import console


SOURCE_TREE = Path(__file__).resolve().parents[2]


def expected_files() -> dict[Path, str]:
    """Every generated file as a fresh build makes it: path → content.

    The core catalogs belong to kubelab's source tree: a build of labs kept elsewhere
    (``KUBELAB_LABS``) leaves them alone.
    """
    labs = all_labs()
    own_labs = labs_root().resolve() == SOURCE_TREE / "labs"
    files = core_catalogs(SOURCE_TREE) if own_labs else {}
    for lab in labs:
        catalogs = lab_catalogs(lab)
        files.update(catalogs)
        for lang in LANGUAGES:
            catalog = polib.pofile(catalogs[lab.locales / f"{lang}.po"]) if lang != "en" else None
            files[notebook_path(lab, lang)] = render(lab, lang, catalog)
    return files


def build(check: bool = typer.Option(False, "--check", help=N_("Only report what a build would change."))) -> ExitCode:
    files = expected_files()
    stale = [p for p, text in files.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    orphans = [p for p in sorted(notebooks_root().glob("*/*.ipynb")) if p not in files]
    if check:
        for path in stale:
            console.print(escape(_("stale: {path}", path=path)))
        for path in orphans:
            console.print(escape(_("orphan: {path}", path=path)))
        if stale or orphans:
            console.print(_("Run `kubelab build` and commit the result."))
            return ExitCode.PROBLEM
        console.print(_("Notebooks and catalogs are up to date."))
        return ExitCode.OK
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path], encoding="utf-8")
    for path in orphans:
        path.unlink()
    console.print(_("{count} files written, {removed} removed.", count=len(stale), removed=len(orphans)))
    _show_status()
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
