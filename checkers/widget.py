"""The feedback of ``lab.check()``: an ipywidgets panel, and the same verdict as HTML and plain text.

The panel reveals a failing check's hints one at a time. The HTML (hints folded in ``<details>``) and
the text show every hint: they are what a saved notebook, nbval, the static site and a console show,
so the panel's display bundle carries them too.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import ipywidgets as widgets
from IPython.display import DisplayHandle, display

from clusters.errors import KubelabError
from clusters.i18n import N_, _

from .display import SYMBOLS, Row, rows

COLOURS = {"pass": "#1a7f37", "fail": "#cf222e", "error": "#9a6700", "skip": "#57606a"}  # ≥ 4.5:1 on white
STATUS_NAMES = {"pass": N_("passed"), "fail": N_("failed"), "error": N_("could not be checked (not your fault)"),
                "skip": N_("skipped")}
CODE = re.compile(r"`([^`]+)`")


def render_text(document: dict) -> str:
    """The result as plain text, every hint included."""
    lines = [_heading(document)]
    for row in rows(document):
        lines.append(f"{row.symbol} {row.title} ({row.id})")
        if row.message is not None:
            lines.append(f"    {row.message}")
        if row.expected is not None:
            lines.append(f"    {_('expected')}: {row.expected}   {_('found')}: {row.found}")
        lines += [f"    {_('Hint {level}', level=level)}: {hint}" for level, hint in enumerate(row.hints, 1)]
    lines.append(_score(document))
    return "\n".join(lines)


def render_html(document: dict) -> str:
    """The result as static HTML, every hint folded in its own ``<details>``."""
    items = "".join(f'<li style="margin:.4em 0">{check_html(row)}{_folded_hints(row.hints)}</li>'
                    for row in rows(document))
    return (f'<div class="kubelab-result">{_heading_html(document)}'
            f'<ul style="list-style:none;padding-left:0;margin:.3em 0">{items}</ul>'
            f"<p><strong>{html.escape(_score(document))}</strong></p></div>")


def fallback(document: dict) -> dict:
    """The display bundle for frontends without widgets."""
    return {"text/plain": render_text(document), "text/html": render_html(document)}


def error_bundle(message: str) -> dict:
    """One line saying what went wrong, as a display bundle."""
    return {"text/plain": f"{SYMBOLS['fail']} {message}", "text/html": _error_html(message)}


def check_html(row: Row) -> str:
    """One check's verdict: symbol, title, and for a non-pass its message (and expected/found for a fail)."""
    status = row.status
    parts = [f'<span style="color:{COLOURS[status]};font-weight:bold" title="{html.escape(_(STATUS_NAMES[status]))}"'
             f' aria-label="{html.escape(_(STATUS_NAMES[status]))}">{row.symbol}</span> '
             f"<strong>{_inline(row.title)}</strong> "
             f'<small style="color:{COLOURS["skip"]}">({html.escape(row.id)})</small>']
    if row.message is not None:
        parts.append(f'<div style="margin-left:1.4em">{_inline(row.message)}</div>')
    if row.expected is not None:
        parts.append(f'<div style="margin-left:1.4em">{html.escape(_("expected"))}: '
                     f"<code>{html.escape(row.expected)}</code> · {html.escape(_('found'))}: "
                     f"<code>{html.escape(row.found)}</code></div>")
    return "".join(parts)


def hints_html(hints: list[str]) -> str:
    """Hints shown open, numbered from 1."""
    return "".join(f'<div style="margin-left:1.4em">💡 <strong>{html.escape(_("Hint {level}", level=level))}</strong>:'
                   f" {_inline(hint)}</div>" for level, hint in enumerate(hints, 1))


class CheckPanel:
    """A Check button, a "checking…" state, one row per check (hints revealed one at a time) and a score."""

    def __init__(self, run: Callable[[], dict]):
        self.run = run
        self.document: dict | None = None
        self.fallback: dict = {}  # what frontends without widgets show instead
        self.handle: DisplayHandle | None = None
        self.button = widgets.Button(description=_("Check again"), icon="check", button_style="primary")
        self.status = widgets.HTML()
        self.rows = widgets.VBox()
        self.score = widgets.HTML()
        self.hints: dict[str, tuple[widgets.Button, widgets.HTML]] = {}  # check id → its Hint button and hints
        self.widget = widgets.VBox([widgets.HBox([self.button, self.status]), self.rows, self.score])
        self.button.on_click(lambda _button: self.refresh())

    def _repr_mimebundle_(self, **kwargs) -> dict:
        return {**self.widget._repr_mimebundle_(**kwargs), **self.fallback}

    def show_and_run(self) -> dict | None:
        """Show the panel, then run the checks in it."""
        self.handle = display(self, display_id=True)
        return self.refresh()

    def refresh(self) -> dict | None:
        """Run the checks and show their result; an expected failure is shown in the panel."""
        self.button.disabled = True
        self.status.value = f"<span>⏳ {html.escape(_('Checking… (a rollout may take a few seconds to settle)'))}</span>"
        try:
            document = self.run()
        except KubelabError as exc:
            self.status.value = _error_html(str(exc))
            self._publish(error_bundle(str(exc)))
            return None
        finally:
            self.button.disabled = False
        self.show(document)
        return document

    def show(self, document: dict) -> None:
        self.document = document
        self.status.value = ""
        self.hints = {}
        self.rows.children = [self._row(row) for row in rows(document)]
        self.score.value = f"<strong>{html.escape(_score(document))}</strong>"
        self._publish(fallback(document))

    def _publish(self, bundle: dict) -> None:
        """Keep the displayed HTML and text (what a saved notebook keeps) in step with the panel."""
        self.fallback = bundle
        if self.handle is not None:
            self.handle.update(self)

    def _row(self, row: Row) -> widgets.Widget:
        head = widgets.HTML(check_html(row))
        hints = row.hints
        if not hints:
            return head
        def label(level: int) -> str:
            return _("Show hint {level} of {count}", level=level, count=len(hints))

        button = widgets.Button(description=label(1), icon="lightbulb-o",  # as wide as its label, under the message
                                layout=widgets.Layout(width="auto", align_self="flex-start", margin="2px 0 2px 1.4em"))
        shown = widgets.HTML()
        level = 0

        def reveal(_button) -> None:
            nonlocal level
            level += 1
            shown.value = hints_html(hints[:level])
            button.description = label(level + 1)
            if level == len(hints):
                button.layout.display = "none"

        button.on_click(reveal)
        self.hints[row.id] = (button, shown)
        return widgets.VBox([head, shown, button])


class ConfirmButton:
    """A warning and a button that runs ``action`` only when clicked; what ``action`` prints shows below it."""

    def __init__(self, label: str, warning: str, action: Callable[[], object]):
        self.warning = warning
        self.button = widgets.Button(description=label, icon="exclamation-triangle", button_style="warning",
                                     layout=widgets.Layout(width="auto"))
        self.output = widgets.Output()
        self.widget = widgets.VBox([widgets.HTML(f"<p>{_inline(warning)}</p>"), self.button, self.output])

        def run(_button) -> None:
            self.button.disabled = True
            try:
                with self.output:
                    action()
            finally:
                self.button.disabled = False

        self.button.on_click(run)

    def _repr_mimebundle_(self, **kwargs) -> dict:
        return {**self.widget._repr_mimebundle_(**kwargs), "text/plain": self.warning}


def _heading(document: dict) -> str:
    return _("{lab} in namespace {namespace}", lab=document["lab"], namespace=document["namespace"])


def _heading_html(document: dict) -> str:
    return f"<p><strong>{html.escape(_heading(document))}</strong></p>"


def _score(document: dict) -> str:
    score = _("Score: {score}/{max}", score=document["score"], max=document["max"])
    errors = document["counts"]["error"]
    return score + (f"  ({_('{count} could not be checked', count=errors)})" if errors else "")


def _folded_hints(hints: list[str]) -> str:
    return "".join(f'<details style="margin-left:1.4em"><summary>💡 {html.escape(_("Hint {level}", level=level))}'
                   f"</summary>{_inline(hint)}</details>" for level, hint in enumerate(hints, 1))


def _error_html(message: str) -> str:
    return f'<p style="color:{COLOURS["fail"]}">{SYMBOLS["fail"]} {_inline(message)}</p>'


def _inline(text: str) -> str:
    """Escape ``text`` for HTML, showing `backquoted` parts as code."""
    return CODE.sub(r"<code>\1</code>", html.escape(text))
