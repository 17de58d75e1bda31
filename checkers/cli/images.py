"""`kubelab images build|list`: the course's container images, built here without a registry."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from clusters.embedded import EmbeddedBackend, builder, images, realnode
from clusters.errors import ClusterNotRunning, UsageError
from clusters.i18n import N_, _

from ..lab import labs_root
from .output import console, print_json, progress_printer

app = typer.Typer(no_args_is_help=True, help=N_("Build and list the container images the real node runs."))


@app.command("build", help=N_("Build images (all the labs use when none is named) and load them into the running real node."))
def build(names: list[str] = typer.Argument(None, help=N_("Image recipes, e.g. nginx."))) -> int:
    unknown = [n for n in names or [] if n not in images.RECIPES]
    if unknown:
        raise UsageError(_("Unknown image {name}; choose from: {names}.", name=", ".join(unknown),
                           names=", ".join(images.RECIPES)))
    progress = progress_printer()
    home = EmbeddedBackend().home
    running = bool(realnode.details(home))
    for name in names or [n for n, r in images.RECIPES.items() if not r.by_name]:
        recipe = images.RECIPES[name]
        if running:
            images.load(realnode.node_dir(home), recipe, progress)
        else:
            images.build(recipe, progress)
        console.print(_("{name}: built", name=name) + (_(", loaded into the real node") if running else ""))
    return 0


@app.command("build-context", help=N_("Build the Dockerfile of a folder on the course's images and put the result "
                                      "into the running real node, for pods with imagePullPolicy: Never."))
def build_context(
    folder: Path = typer.Argument(..., help=N_("The folder holding the Dockerfile and the files it copies.")),
    tag: str = typer.Option(..., "--tag", "-t", help=N_("The image's name and tag, e.g. kubelab.local/hello:1.0.")),
) -> int:
    builder.check_tag(tag)
    if not folder.is_dir():
        raise UsageError(_("{folder} is not a folder.", folder=folder))
    builder.dockerfile(folder)
    home = EmbeddedBackend().home
    node = realnode.details(home)
    if not (node and node["running"]):
        raise ClusterNotRunning(_("No real node of kubelab's embedded cluster is running here: start one with "
                                  "`kubelab up --backend embedded`. On minikube, build with `minikube image build "
                                  "-t {tag} {folder}`.", tag=tag, folder=folder))
    reason = builder.missing()
    if reason:
        raise images.ImageBuildFailed(reason)
    digest = builder.build(folder, tag, realnode.node_dir(home), progress_printer())
    console.print(_("{tag}: built and loaded into the real node ({digest})", tag=tag, digest=digest))
    return 0


@app.command("list", help=N_("Say, per image, what it contains, what it stands in for and whether it is built."))
def list_images(as_json: bool = typer.Option(False, "--json", help=N_("Print JSON for tools."))) -> int:
    rows = images.catalog(labs_root() / "images.yaml")
    if as_json:
        print_json(rows)
        return 0
    table = Table()
    for column in (_("Image"), _("Names"), _("Contains"), _("Stands in for"), _("Built")):
        table.add_column(column)
    for row in rows:
        contains = ", ".join(f"{p} {v}" for p, v in row["packages"].items()) or row["contains"]
        built = _("yes") if row["built"] else _("no")
        if row.get("unavailable"):
            built = _("unavailable: {reason}", reason=row["unavailable"])
        if row.get("learner_builds"):
            built = _("the learner builds it from {folder}", folder=row["learner_builds"])
        table.add_row(row["image"], "\n".join(row["names"]), contains, row["stands_in_for"], built)
    console.print(table)
    return 0


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="images")
