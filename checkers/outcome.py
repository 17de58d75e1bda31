"""What one check concludes: pass, fail, error or skip, with a translatable message.

``error`` means the checker could not decide (API down, forbidden, timeout):
it is never the learner's fault and never costs points. ``skip`` means the
cluster lacks a capability the check needs. Messages are English msgids with
named parameters, translated only when shown, so one result can be shown in
any language. Mark msgids with ``N_`` so they are extracted for translation.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Literal

from clusters.i18n import N_, Msgid  # noqa: F401  (N_ re-exported for checks)

Status = Literal["pass", "fail", "error", "skip"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "error", "skip")
RESERVED = frozenset({"expected", "found", "hints", "evidence"})  # the outcome's own arguments, never a placeholder


@dataclass(frozen=True)
class Outcome:
    """One check's verdict. ``message`` and each hint are msgids filled from ``params``."""

    status: Status
    message: str
    params: dict = field(default_factory=dict)
    expected: str | None = None
    found: str | None = None
    hints: tuple[str, ...] = ()
    evidence: dict = field(default_factory=dict)  # what the check looked at (for regrade disputes)
    settling: bool = False  # a fail that may still turn into a pass: the engine reads again


def passed(message: str, /, evidence: dict | None = None, **params) -> Outcome:
    _no_reserved(message)
    return Outcome("pass", message, params, evidence=evidence or {})


def failed(message: str, /, *, expected=None, found=None, hints: tuple[str, ...] | list[str] = (),
           evidence: dict | None = None, **params) -> Outcome:
    """A learner's mistake: what was expected, what was found, and up to three hints (general → specific)."""
    if len(hints) > 3:
        raise ValueError("at most three hints")
    _no_reserved(message, *hints, *(text for text in (expected, found) if isinstance(text, Msgid)))
    return Outcome("fail", message, params, _text(expected), _text(found), tuple(hints), evidence or {})


def not_yet(message: str, /, *, expected=None, found=None, hints=(), evidence=None, **params) -> Outcome:
    """Like ``failed``, but the state is still changing (a rollout in progress): read again until the timeout."""
    outcome = failed(message, expected=expected, found=found, hints=hints, evidence=evidence, **params)
    return Outcome(**{**outcome.__dict__, "settling": True})


def error(message: str, /, **params) -> Outcome:
    """The environment, not the learner: could not decide."""
    return Outcome("error", message, params)


def skipped(message: str, /, **params) -> Outcome:
    return Outcome("skip", message, params)


def placeholders(text: str) -> set[str]:
    """The parameter names ``text`` asks for (``{name}``, ``{name!r}``…); a malformed text asks for none."""
    try:
        return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return set()


def _no_reserved(*texts: str) -> None:
    """A placeholder named like the outcome's own arguments would be swallowed by them: refuse it."""
    for text in texts:
        clash = placeholders(text) & RESERVED
        if clash:
            raise ValueError(f"{text!r}: {{{min(clash)}}} is an argument of the outcome itself; rename the placeholder")


def _text(value) -> str | None:
    return None if value is None else str(value)
