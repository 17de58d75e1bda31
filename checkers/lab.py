"""A lab is a folder: load it, validate it, and find its parts.

``labs/<NN-slug>/`` (or ``NNx-slug``: the name is the id and the catalog order) holds ``lab.yaml``
(validated here against ``LAB_KEYS``), ``lesson.py`` (the single-source lesson), ``locales/<lang>.po``,
``manifests/`` (the starting state), ``solution/``, ``faults/<name>/`` (each with a ``fault.yaml``
naming the check it must trip) and ``checks.py``. docs/authoring.md documents the format; the docs'
lab.yaml reference is ``field_table`` of the schema here.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import get_type_hints

from clusters.base import Capabilities
from clusters.errors import UsageError
from clusters.files import load_yaml_file, short_repr
from clusters.i18n import _

from .registry import Check, collect
from .scripts import load_module

LAB_ID = re.compile(r"^(?P<number>\d\d[a-z]?)-(?P<slug>[a-z0-9]+(-[a-z0-9]+)*)$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
DNS_NAME = re.compile(r"^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$")
SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]{1,253}$")
MAX_LAB_FILE_BYTES = 256 * 1024  # lab.yaml and fault.yaml are a few hundred bytes
CLASSROOM = ("students", "instructor")  # who does the lab on a shared (JupyterHub) cluster


class LabError(UsageError):
    """A lab folder is malformed; the message names the file, the field and what is expected."""


def labs_root() -> Path:
    """``$KUBELAB_LABS``, else the checkout's ``labs/``, else the installed ``share/kubelab/labs``."""
    if os.environ.get("KUBELAB_LABS"):
        return Path(os.environ["KUBELAB_LABS"])
    checkout = Path(__file__).resolve().parent.parent / "labs"
    return checkout if checkout.is_dir() else Path(sys.prefix) / "share" / "kubelab" / "labs"


@dataclass(frozen=True)
class Fault:
    """A broken variant of the solution and the one check it must trip."""

    name: str
    trips: str
    why: str
    path: Path
    also: tuple[str, ...] = ()  # checks built on the tripped one: they fail with it where the cluster can run them


@dataclass(frozen=True)
class Lab:
    id: str  # the folder's name, NN-slug or NNx-slug; the catalog is sorted by it
    title: str
    minutes: int
    namespace: str
    path: Path
    needs: dict = field(default_factory=dict)
    requires: tuple[str, ...] = ()
    secrets: tuple[dict, ...] = ()
    classroom: str = "students"  # "instructor": it needs rights a student's namespace never gives

    @property
    def number(self) -> str:
        """The part of the id before the first dash: ``04`` or ``04a``."""
        return self.id.split("-", 1)[0]

    @property
    def slug(self) -> str:
        return self.id.split("-", 1)[1]

    @property
    def locales(self) -> Path:
        return self.path / "locales"

    @property
    def secret_names(self) -> set[str]:
        """The Secrets the lab makes (``secrets`` in lab.yaml): in a shared namespace, its own among others'."""
        return {spec["name"] for spec in self.secrets}

    @cached_property
    def checks(self) -> list[Check]:
        file = self.path / "checks.py"
        try:
            module = load_module(file, f"kubelab_lab_{self.id.replace('-', '_')}")
        except (OSError, SyntaxError, ImportError) as exc:
            raise LabError(_("{file}: cannot load the checks: {error}", file=file, error=exc)) from exc
        found = collect(module)
        if not found:
            raise LabError(_("{file}: defines no @check functions.", file=file))
        return found

    def check(self, check_id: str) -> Check:
        for item in self.checks:
            if item.id == check_id:
                return item
        raise UsageError(_("Lab {lab} has no check {check}; its checks are: {ids}.", lab=self.id, check=check_id,
                           ids=", ".join(c.id for c in self.checks)))

    @cached_property
    def faults(self) -> list[Fault]:
        found = []
        for folder in sorted((self.path / "faults").glob("*/")):
            meta = _parse(_read_yaml(folder / "fault.yaml"), FAULT_KEYS, folder / "fault.yaml")
            found.append(Fault(folder.name, meta["trips"], meta["why"], folder, tuple(meta["also"])))
        return found


# --- the schema of lab.yaml ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One key of a lab.yaml mapping: its type and meaning as the docs show them, and what it accepts."""

    name: str
    type: str  # as the field table shows it
    meaning: str  # English, for the field table
    expected: Callable[[], str]  # the translated expectation an error message states
    valid: Callable[[object], bool]
    required: bool = False
    default: object = None
    items: tuple[Key, ...] = ()  # a list of mappings with these keys (``secrets``)


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _whole(low: int, high: int):
    return lambda value: isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def capability_types() -> dict[str, type]:
    """Every capability a lab or check may need (the fields of ``Capabilities``) and the type of its value."""
    hints = get_type_hints(Capabilities)
    return {item.name: hints[item.name] for item in fields(Capabilities)}


def _needs(value) -> bool:
    kinds = capability_types()
    return isinstance(value, dict) and all(
        name in kinds and (isinstance(wanted, bool) if kinds[name] is bool else _whole(0, 1000)(wanted))
        for name, wanted in value.items())


def _needs_expected() -> str:
    kinds = capability_types()
    return _("a mapping of capabilities: {flags} (true or false), {counts} (a number)",
             flags=", ".join(n for n, t in kinds.items() if t is bool),
             counts=", ".join(n for n, t in kinds.items() if t is not bool))


SECRET_KEYS = (
    Key("name", "DNS name", "the Secret's name", lambda: _("a Secret name (lower case, digits, dashes, dots)"),
        lambda v: isinstance(v, str) and bool(DNS_NAME.match(v)), required=True),
    Key("type", "string", "the Secret's type", lambda: _("a Secret type, like Opaque"), _text, default="Opaque"),
    Key("literals", "mapping", "fixed values: key → text", lambda: _("a mapping of Secret keys to text"),
        lambda v: isinstance(v, dict) and all(isinstance(k, str) and SECRET_KEY.match(k)
                                              and isinstance(x, (str, int, float)) for k, x in v.items()),
        default={}),
    Key("generate", "list", "keys whose values are random, made once by `kubelab start`",
        lambda: _("a list of Secret keys (letters, digits, dashes, dots, underscores)"),
        lambda v: isinstance(v, list) and all(isinstance(k, str) and SECRET_KEY.match(k) for k in v), default=[]),
)

LAB_KEYS = (
    Key("title", "string", "the English title (translated through the lab's PO files)",
        lambda: _("the lab's English title"), _text, required=True),
    Key("minutes", "integer", "estimated time", lambda: _("the estimated time in minutes"), _whole(1, 10000),
        required=True),
    Key("namespace", "DNS label", "the default namespace on a laptop (`kubelab-<slug>`)",
        lambda: _("a DNS label (lower case, digits, dashes)"),
        lambda v: isinstance(v, str) and bool(DNS_LABEL.match(v)), required=True),
    Key("needs", "mapping", "capabilities the whole lab needs: "
        + ", ".join(f"`{n}` ({'true/false' if t is bool else 'a number'})" for n, t in capability_types().items()),
        _needs_expected, _needs, default={}),
    Key("classroom", " or ".join(f"`{c}`" for c in CLASSROOM),
        "who does the lab on a shared JupyterHub cluster: `instructor` when it needs rights a student's namespace "
        "never gives (nodes, cluster-wide fixed nodePorts, LoadBalancers); `kubelab hub provision` names those "
        "labs, and class grading skips them for students on the shared cluster",
        lambda: _("one of {names}", names=", ".join(CLASSROOM)), lambda v: v in CLASSROOM, default=CLASSROOM[0]),
    Key("requires", "list", "labs to do first (ids of labs earlier in the catalog)", lambda: _("a list of lab ids"),
        lambda v: isinstance(v, list) and all(isinstance(i, str) and LAB_ID.match(i) for i in v), default=[]),
    Key("secrets", "list", "Secrets `kubelab start` generates, each a mapping of the keys below; generated values "
        "are random and never written anywhere else",
        lambda: _("a list of secrets, each with a name and optionally type, literals and generate"),
        lambda v: isinstance(v, list) and all(isinstance(i, dict) for i in v), default=[], items=SECRET_KEYS),
)

FAULT_KEYS = (
    Key("trips", "check id", "the id of the check this fault makes fail (and no other)",
        lambda: _("the id of the check this fault trips"), _text, required=True),
    Key("why", "string", "one sentence: the mistake it models", lambda: _("one sentence: the mistake it models"),
        _text, required=True),
    Key("also", "list", "checks built on the tripped one: they fail with it where the cluster can run them",
        lambda: _("a list of check ids"), lambda v: isinstance(v, list) and all(isinstance(x, str) and x for x in v),
        default=[]),
)


def _parse(data: dict, keys: tuple[Key, ...], file: Path, prefix: str = "") -> dict:
    """``data`` checked against ``keys``: unknown, missing and malformed keys are a LabError naming the field."""
    known = {key.name: key for key in keys}
    for name in data:
        if name not in known:
            raise LabError(_("{file}: unknown field \"{field}\"; the fields are: {names}.", file=file,
                             field=prefix + str(name)[:60], names=", ".join(known)))
    values = {}
    for key in keys:
        if key.name not in data and not key.required:
            values[key.name] = copy(key.default)  # a lab's own, never the schema's
            continue
        value = data.get(key.name)
        if not key.valid(value):
            raise LabError(_("{file}: field \"{field}\" must be {expected}; found {value!r}.", file=file,
                             field=prefix + key.name, expected=key.expected(), value=short_repr(value)))
        if key.items:
            value = [_parse(item, key.items, file, f"{prefix}{key.name}[{index}].") for index, item in enumerate(value)]
        values[key.name] = value
    return values


def field_table(keys: tuple[Key, ...] = LAB_KEYS) -> str:
    """The Markdown table of ``keys`` (field, type, required, meaning): the docs' lab.yaml reference."""
    rows = ["| field | type | required | meaning |", "|---|---|---|---|"]
    rows += [f"| `{k.name}` | {k.type} | {'yes' if k.required else 'no'}"
             f"{f' (default `{k.default}`)' if isinstance(k.default, str) else ''} | {k.meaning} |" for k in keys]
    return "\n".join(rows) + "\n"


def load_lab(path: Path) -> Lab:
    """Read and validate ``path/lab.yaml``; raise LabError naming the file and field on any problem."""
    match = LAB_ID.match(path.name)
    if not match:
        raise LabError(_("{folder}: a lab folder is named NN-slug or NNx-slug (two digits, an optional letter, a dash, "
                         "lower-case words joined by dashes); found {name!r}.", folder=path, name=short_repr(path.name)))
    file = path / "lab.yaml"
    values = _parse(_read_yaml(file), LAB_KEYS, file)
    return Lab(id=path.name, path=path, title=values["title"], minutes=values["minutes"],
               namespace=values["namespace"], needs=values["needs"], requires=tuple(values["requires"]),
               secrets=tuple(values["secrets"]), classroom=values["classroom"])


def all_labs(root: Path | None = None) -> list[Lab]:
    """Every lab under ``root``, in catalog order: sorted by folder name (``04-…`` < ``04a-…`` < ``05-…``)."""
    root = root or labs_root()
    labs = [load_lab(p) for p in sorted(root.iterdir(), key=lambda p: p.name) if (p / "lab.yaml").is_file()]
    earlier, namespaces = [], {}
    for lab in labs:
        if lab.namespace in namespaces:
            raise LabError(_("{file}: field \"namespace\" must be the lab's own; {namespace} is also the namespace of "
                             "{other}.", file=lab.path / "lab.yaml", namespace=lab.namespace,
                             other=namespaces[lab.namespace]))
        namespaces[lab.namespace] = lab.id
        for name in lab.requires:
            if name not in earlier:
                raise LabError(_("{file}: field \"requires\" names {name}, which is not a lab before this one; the "
                                 "labs before it are: {ids}.", file=lab.path / "lab.yaml", name=name,
                                 ids=", ".join(earlier) or "-"))
        earlier.append(lab.id)
    return labs


def _named(lab_id: str, name: str) -> bool:
    """Whether ``name`` names the lab ``lab_id`` by its number (``04a``; ``3`` for ``03``) or its slug."""
    number, _dash, slug = lab_id.partition("-")
    return name in (number, slug) or (name.isdigit() and number.isdigit() and int(name) == int(number))


def lookup(name: str, labs: list[Lab]) -> Lab | None:
    """The one rule for naming a lab: its id (``04a-probes``), its number (``04a``; ``3`` for ``03``) or its
    slug (``probes``). None when no lab matches; a name that matches several is a UsageError naming them."""
    found = [lab for lab in labs if lab.id == name] or [lab for lab in labs if _named(lab.id, name)]
    if len(found) > 1:
        raise UsageError(_("{name} could be any of these labs: {ids}. Give the full id.", name=name,
                           ids=", ".join(lab.id for lab in found)))
    return found[0] if found else None


def find_lab(name: str, root: Path | None = None) -> Lab:
    """A lab by the rule of ``lookup``; a UsageError when there is none. The folder is the id, so only the lab
    named is read (a cold `kubelab check` stays fast); the catalog as a whole is validated by ``all_labs``."""
    root = root or labs_root()
    folders = [p for p in root.iterdir() if (p / "lab.yaml").is_file()]
    fitting = [p for p in folders if p.name == name] or [p for p in folders if _named(p.name, name)]
    if len(fitting) > 1:
        raise UsageError(_("{name} could be any of these labs: {ids}. Give the full id.", name=name,
                           ids=", ".join(sorted(p.name for p in fitting))))
    if not fitting:
        raise UsageError(_("There is no lab called {name}. Run `kubelab labs` to see them all.", name=name))
    return load_lab(fitting[0])


def working_namespace(lab: Lab, namespace: str | None = None) -> str:
    """The namespace a lab runs in: the one asked for, else ``$KUBELAB_NAMESPACE``, else the lab's own."""
    return namespace or os.environ.get("KUBELAB_NAMESPACE") or lab.namespace


def _read_yaml(file: Path) -> dict:
    try:
        data = load_yaml_file(file, MAX_LAB_FILE_BYTES)
    except UsageError as exc:
        raise LabError(str(exc)) from exc
    if not isinstance(data, dict):
        raise LabError(_("{file}: must be a YAML mapping of fields.", file=file))
    return data
