"""The `kubelab` command line, the top layer: it calls checkers and clusters, and nothing calls it.

Commands return an ``ExitCode`` and render their data (a rich table, or ``--json``). ``main`` turns
everything else into an exit code in one place: an expected failure (``KubelabError``) or a usage
error prints one message (2), Ctrl-C is 130, and anything unexpected is logged with its traceback
and reported in one line (3). A command's module is imported only when that command runs, so
`kubelab --help` and `kubelab check` load nothing they do not use.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from datetime import datetime, timezone
from pathlib import Path

import typer
from rich.markup import escape

from clusters.errors import ExitCode, KubelabError, UsageError
from clusters.i18n import LANGUAGES, N_, _, normalize, set_language

# typer 0.29 vendors its own click (typer._click), older typers use click itself: take the one typer uses.
_click = sys.modules[typer.BadParameter.__module__]

#: Every command: name → (module of checkers.cli that registers it, help). The help is here so that
#: listing the commands imports none of them.
COMMANDS = {
    "up": ("cluster", N_("Start a cluster (the embedded one unless told otherwise) and select its context.")),
    "down": ("cluster", N_("Stop the cluster kubelab started, keeping its data; `--purge` deletes it.")),
    "status": ("cluster", N_("Say whether the cluster runs, where, and how to reach it.")),
    "doctor": ("cluster", N_("Check the kubeconfig, the API server, the nodes and the tools; say how to fix what "
                             "is wrong.")),
    "labs": ("labs", N_("List the labs, what each needs, whether this cluster can run it, and your progress.")),
    "start": ("labs", N_("Create the lab's namespace, generated secrets and starting objects.")),
    "check": ("labs", N_("Check your work in the live cluster and say what is wrong and how to find it.")),
    "solve": ("labs", N_("Apply the reference solution (skip ahead).")),
    "reset": ("labs", N_("Remove what you created for the lab and start it again.")),
    "grade": ("grade", N_("Grade every student × lab of a class from the live clusters; write gradebooks, feedback "
                          "and a report.")),
    "hub": ("hub", N_("The JupyterHub classroom: one namespace per student.")),
    "build": ("build", N_("Update the translation catalogs and write the notebooks of every lab in every language.")),
    "notebooks": ("build", N_("Copy the notebooks into your working folder, never over a notebook you changed.")),
    "images": ("images", N_("Build and list the container images the real node runs.")),
    "node": ("node", N_("Look inside the embedded cluster's real node: the rules kube-proxy wrote.")),
    "new-lab": ("authoring", N_("Write a new lab folder that passes its own self-test: lab.yaml, lesson, one check, "
                                "solution, one fault.")),
}


def _set_language(value: str | None) -> None:
    if value is not None:
        try:
            set_language(value)
        except ValueError:
            raise UsageError(_("--lang {lang}: choose one of {names}.", lang=value,
                               names=", ".join(LANGUAGES))) from None


LANG = typer.Option(None, "--lang", callback=_set_language, expose_value=False, is_eager=True,
                    help=N_("Language: en, ro, fr, it or es."))


class LazyCommands(typer.core.TyperGroup):
    """The command group: light stand-ins (name and help) for listings, the real command when one runs."""

    def __init__(self, **attrs):
        super().__init__(**attrs)
        self.commands = {name: typer.core.TyperCommand(name, help=text) for name, (_m, text) in COMMANDS.items()}

    def resolve_command(self, ctx, args):
        name, stand_in, rest = super().resolve_command(ctx, args)
        return name, load(name, self.params) if stand_in else None, rest


app = typer.Typer(cls=LazyCommands, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  rich_markup_mode=None,  # plain help: rich's help formatter alone costs more than the budget
                  help=N_("kubelab: learn Kubernetes hands-on, graded on your live cluster."))


@app.callback()
def _options(lang: str = LANG) -> None:
    """`--lang` works before the command and after it (`load` gives every command the same option)."""


def load(name: str, options: list) -> typer.core.TyperCommand:
    """Import the command ``name``, with its translated help and the group's ``options`` (``--lang``)."""
    module = importlib.import_module(f"{__name__}.{COMMANDS[name][0]}")
    commands = typer.Typer()
    module.register(commands)
    # only this one is built: typer turns every parameter of every command it builds into a pydantic adapter
    commands.registered_commands = [c for c in commands.registered_commands if (c.name or c.callback.__name__) == name]
    command = typer.main.get_group(commands).commands[name]
    command.help = COMMANDS[name][1]
    _prepare(command, options)
    return command


def _prepare(node, options: list) -> None:
    """Translate the help of ``node`` and below, plain like the group's; give each the ``options`` it lacks."""
    node.rich_markup_mode = None
    if node.help:
        node.help = _(node.help)
    for param in node.params:
        if getattr(param, "help", None):
            param.help = _(param.help)
    help_option = node.get_help_option(typer.Context(node, **(node.context_settings or {})))
    for param in [*node.params, help_option]:
        if getattr(param, "_runtime_param", False) is None:  # typer ≥ 0.29: see PlainValues
            param._runtime_param = PlainValues()
    node.params += [option for option in options if option not in node.params]
    for child in getattr(node, "commands", {}).values():
        _prepare(child, options)


class PlainValues:
    """How a parameter's value is checked. typer ≥ 0.29 checks every value with a pydantic adapter, and importing
    pydantic costs more than a whole `kubelab check` may: a value that needs no checking (a string for a plain
    ``str`` parameter, a number parameter's own default, nothing) passes as it is; any other goes to typer's
    adapter."""

    def __init__(self):
        self.typer_check = None

    def coerce(self, value, param, ctx):
        descriptor, single = param.type_descriptor, not (param.multiple or param.nargs == -1)
        plain = single and (value is None or (
            type(value) is descriptor.annotation and type(value) in (str, int, float)
            and descriptor.parameter_info.parser is None and (type(value) is str or value is param.default)))
        if plain:
            return value
        if self.typer_check is None:
            self.typer_check = typer._coercion.build_runtime_param(descriptor)
        return self.typer_check.coerce(value, param=param, ctx=ctx)


def command(argv: list[str]) -> typer.core.TyperGroup:
    """The command group, its help in the language ``--lang`` asks for (help is shown before it is parsed)."""
    for index, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else (argv[index + 1:index + 2] or [None])[0]
        if arg.startswith("--lang") and normalize(value):
            set_language(value)
    group = typer.main.get_command(app)
    _prepare(group, [])
    return group


def command_tree() -> typer.core.TyperGroup:
    """The command group with every command loaded (the CLI reference reads their options)."""
    group = command([])
    for name in COMMANDS:
        group.commands[name] = load(name, group.params)
    return group


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a command and turn its result, or whatever it raised, into an exit code."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        result = command(argv).main(args=argv, standalone_mode=False, prog_name="kubelab")
    except KubelabError as exc:
        _say(f"[red]✗[/red] {escape(str(exc))}")
        return exc.exit_code
    except _click.ClickException as exc:  # a usage error: unknown option or command, missing or bad value
        exc.show()
        return ExitCode.CANNOT_RUN
    except (KeyboardInterrupt, typer.Abort):  # typer.Abort is the Abort of the click typer uses
        return ExitCode.INTERRUPTED
    except Exception as exc:  # a bug: never a traceback on screen, one line and where the traceback is
        return internal_error(exc, argv)
    return result if isinstance(result, int) else ExitCode.OK


def internal_error(exc: Exception, argv: list[str]) -> ExitCode:
    """Write the traceback to a log file and say, in one line, what happened and where the log is."""
    where = None
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        where = folder / f"error-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{os.getpid()}.log"
        where.write_text(f"kubelab {' '.join(argv)}\n\n{''.join(traceback.format_exception(exc))}", encoding="utf-8")
    except OSError:
        where = None
    message = _("kubelab failed unexpectedly ({error}); this is a bug in kubelab, not your fault.",
                error=f"{type(exc).__name__}: {exc}".splitlines()[0][:200])
    if where:
        message += " " + _("The details are in {path}.", path=where)
    _say(f"[red]✗[/red] {escape(message)}")
    return ExitCode.INTERNAL


def log_dir() -> Path:
    """Where internal errors are logged: ``$KUBELAB_STATE/log``, else the user's log folder."""
    from platformdirs import user_log_path

    state = os.environ.get("KUBELAB_STATE")
    return Path(state) / "log" if state else user_log_path("kubelab")


def _say(markup: str) -> None:
    from .output import console_err

    console_err.print(markup, highlight=False)


def run() -> None:
    sys.exit(main())
