"""Rendering for the CLI: rich on a terminal, plain JSON for tools."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape

console = Console(highlight=False, soft_wrap=True)
console_err = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data) -> None:
    """JSON on stdout, nothing else: tools parse it."""
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def progress_printer(quiet: bool = False):
    """A Progress callback that prints each step dimmed on stderr."""

    def show(message: str) -> None:
        if not quiet:
            console_err.print(f"[dim]·[/dim] {escape(message)}")

    return show
