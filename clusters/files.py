"""Reading and writing the files kubelab keeps, safely.

Every file kubelab writes goes through ``write_atomic`` (a temporary file in the same folder, fsync'd, then
renamed over the target, so a reader sees the old file or the new one, never half of one; created with its
final mode, never chmod'ed after). Every file kubelab reads that a person or another program may have written
goes through ``read_bounded`` (a size limit, so ``/dev/zero`` or a huge file cannot exhaust memory) and, for
YAML, ``load_yaml`` (safe loading that refuses anchors and aliases, so an alias bomb cannot expand).
"""

from __future__ import annotations

import json
import os
import reprlib
import tempfile
from pathlib import Path

import yaml

from .errors import UsageError
from .i18n import _

#: The largest file kubelab reads as text unless a caller says otherwise: far above any real kubeconfig,
#: roster or lab file, far below what would hurt.
MAX_TEXT_BYTES = 16 * 1024 * 1024


def write_atomic(path: Path, data: str | bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` all at once, with permission bits ``mode`` from the start."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def writable_folder(path: Path) -> Path:
    """``path`` as a folder kubelab can write into, made if missing; a ``UsageError`` saying why it cannot be."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError as exc:
        raise UsageError(_("{path} cannot be used as an output folder: {error}.", path=str(path),
                           error=exc.strerror or str(exc))) from exc
    return path


def read_bounded(path: Path, limit: int = MAX_TEXT_BYTES) -> str:
    """The text of ``path``, refusing (``UsageError``) a file larger than ``limit`` bytes, or unreadable, or not
    UTF-8. Reads at most ``limit + 1`` bytes whatever the file is (a device, a pipe, a growing file)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            raw = _read_at_most(handle, limit + 1)
    except OSError as exc:
        raise UsageError(_("Cannot read {path}: {error}", path=str(path), error=exc.strerror or str(exc))) from exc
    if len(raw) > limit:
        raise UsageError(_("{path} is larger than {limit} bytes; this is not a file kubelab expects here.",
                           path=str(path), limit=limit))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(_("{path} is not UTF-8 text.", path=str(path))) from exc


def _read_at_most(handle, size: int) -> bytearray:
    """Up to ``size`` bytes, read in chunks (``read(size)`` would allocate all of ``size`` up front)."""
    data = bytearray()
    while len(data) < size and (chunk := handle.read(min(size - len(data), 1024 * 1024))):
        data += chunk
    return data


#: Deeper YAML is refused: no file kubelab reads nests past a dozen levels, and PyYAML's scanner slows down
#: with the square of the flow depth (``[[[[…``) while its composer recurses once per level.
MAX_YAML_DEPTH = 64


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases (no file kubelab reads needs them; a bomb needs them)
    and nesting deeper than ``MAX_YAML_DEPTH``."""

    _depth = 0

    def fetch_flow_collection_start(self, token_class):  # noqa: D102 - PyYAML's hook
        if self.flow_level >= MAX_YAML_DEPTH:
            raise yaml.scanner.ScannerError(None, None, f"nested deeper than {MAX_YAML_DEPTH} levels",
                                            self.get_mark())
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML's hook
        event = self.peek_event()
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not accepted here", event.start_mark)
        if getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(None, None, "anchors (&name) are not accepted here", event.start_mark)
        if self._depth >= MAX_YAML_DEPTH:
            raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_YAML_DEPTH} levels",
                                              event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml(text: str, source: str | Path = "<text>"):
    """Parse YAML safely, without anchors or aliases; a syntax error becomes a ``UsageError`` naming ``source``
    and the line (the message never echoes the document itself)."""
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else str(source)
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise UsageError(_("{where}: not valid YAML ({problem}).", where=where, problem=str(problem)[:200])) from exc
    except (ValueError, OverflowError, RecursionError) as exc:  # an impossible date, a huge integer, deep nesting
        raise UsageError(_("{where}: not valid YAML ({problem}).", where=str(source),
                           problem=type(exc).__name__)) from exc


def load_json(text: str | bytes):
    """``json.loads``, where nesting deeper than Python's parser goes (``RecursionError``) is a ``ValueError``
    like any other malformed JSON: for text a learner or a learner's server wrote."""
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


def load_yaml_file(path: Path, limit: int = MAX_TEXT_BYTES):
    """``load_yaml`` of ``read_bounded(path, limit)``."""
    return load_yaml(read_bounded(path, limit), path)


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 80
_SHORT.maxlist = _SHORT.maxdict = _SHORT.maxtuple = _SHORT.maxset = 6
_SHORT.maxlevel = 3


class _Shown(str):
    """A repr already made: ``{value!r}`` in a message shows it as is."""

    def __repr__(self) -> str:
        return str(self)


def short_repr(value) -> str:
    """``repr(value)`` cut to a few dozen characters whatever its size, for messages that show a bad value
    (as ``{value}`` or ``{value!r}``)."""
    return _Shown(_SHORT.repr(value))
