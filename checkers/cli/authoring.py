"""`kubelab new-lab`: writing labs."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from clusters.errors import ExitCode
from clusters.i18n import N_, _

from ..lab import labs_root
from ..scaffold import new_lab
from .output import console


def new_lab_command(
    lab_id: str = typer.Argument(..., help=N_("The new lab's id: NN-slug, or NNx-slug to place it between two labs.")),
    labs: Path = typer.Option(None, "--labs", help=N_("The folder of labs (default: $KUBELAB_LABS, else the "
                                                       "checkout's labs/).")),
) -> ExitCode:
    lab = new_lab(lab_id, labs or labs_root())
    console.print(escape(_("Wrote {folder}. Prove it with `pytest tests/test_labs.py -k {lab}`, then make it yours: "
                           "docs/authoring.md says how.", folder=lab.path, lab=lab.id)))
    return ExitCode.OK


def register(app: typer.Typer) -> None:
    app.command("new-lab")(new_lab_command)
