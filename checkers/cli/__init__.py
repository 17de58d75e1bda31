"""The `kubelab` command line, the top layer: it calls checkers and clusters, and nothing calls it.

Commands return data and render it (a rich table, or ``--json``). Every
expected failure is a ``KubelabError`` mapped to an exit code here, in one
place, so the user never sees a traceback for one.
"""

from __future__ import annotations

import sys
from enum import IntEnum

import click
import typer

from clusters.errors import KubelabError, UsageError
from clusters.i18n import LANGUAGES, N_, _, normalize, set_language

from .output import console_err


class ExitCode(IntEnum):
    OK = 0  #: everything passed / nothing wrong
    PROBLEM = 1  #: a check failed, or the doctor found a problem
    CANNOT_RUN = 2  #: bad input, no cluster, or an error that is not the learner's
    INTERRUPTED = 130  #: Ctrl-C


app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help=N_("kubelab: learn Kubernetes hands-on, graded on your live cluster."))


@app.callback()
def _options(lang: str = typer.Option(None, "--lang", help=N_("Language: en, ro, fr, it or es."))) -> None:
    if lang is not None:
        try:
            set_language(lang)
        except ValueError:
            raise UsageError(_("--lang {lang}: choose one of {names}.", lang=lang, names=", ".join(LANGUAGES))) from None


from . import build, cluster, grade, hub, images, labs  # noqa: E402  (they register their commands)

cluster.register(app)
labs.register(app)
grade.register(app)
hub.register(app)
build.register(app)
images.register(app)


def command(argv: list[str]) -> click.Command:
    """The click command tree, its help in the language ``--lang`` asks for (help is shown before it is parsed)."""
    for index, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else (argv[index + 1:index + 2] or [None])[0]
        if arg.startswith("--lang") and normalize(value):
            set_language(value)
    tree = typer.main.get_command(app)
    _translate_help(tree)
    return tree


def _translate_help(node: click.Command) -> None:
    if node.help:
        node.help = _(node.help)
    for param in node.params:
        if getattr(param, "help", None):
            param.help = _(param.help)
    for child in getattr(node, "commands", {}).values():
        _translate_help(child)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a command and turn its result, or an expected failure, into an exit code."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        result = command(argv).main(args=argv, standalone_mode=False, prog_name="kubelab")
    except KubelabError as exc:
        console_err.print(f"[red]✗[/red] {exc}", highlight=False)
        return ExitCode.CANNOT_RUN
    except click.exceptions.Abort:
        return ExitCode.INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return ExitCode.CANNOT_RUN
    return int(result) if isinstance(result, int) else ExitCode.OK


def run() -> None:
    sys.exit(main())
