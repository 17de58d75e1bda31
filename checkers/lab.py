"""A lab is a folder: load it, validate it, and find its parts.

``labs/<NN-slug>/`` holds ``lab.yaml`` (validated here), ``lesson.py`` (the
single-source lesson), ``locales/<lang>.po``, ``manifests/`` (the starting
state), ``solution/``, ``faults/<name>/`` (each with a ``fault.yaml`` naming the
check it must trip) and ``checks.py``. docs/authoring.md documents the format.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from clusters.errors import UsageError
from clusters.files import load_yaml_file, short_repr
from clusters.i18n import _

from .registry import CAPABILITIES, Check, collect

LAB_ID = re.compile(r"^\d\d[a-z]?-[a-z0-9]+(-[a-z0-9]+)*$")  # NN-slug; NNa-slug slots a lab in after NN
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
DNS_NAME = re.compile(r"^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$")
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


@dataclass(frozen=True)
class Lab:
    id: str
    order: int
    title: str
    minutes: int
    namespace: str
    path: Path
    needs: dict = field(default_factory=dict)
    requires: tuple[str, ...] = ()
    secrets: tuple[dict, ...] = ()
    classroom: str = "students"  # "instructor": it needs rights a student's namespace never gives

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
        spec = importlib.util.spec_from_file_location(f"kubelab_lab_{self.id.replace('-', '_')}", file)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
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
            meta = _read_yaml(folder / "fault.yaml")
            trips = _field(meta, "trips", str, folder / "fault.yaml", _("the id of the check this fault trips"))
            why = _field(meta, "why", str, folder / "fault.yaml", _("one sentence: the mistake it models"))
            found.append(Fault(folder.name, trips, why, folder))
        return found


def load_lab(path: Path) -> Lab:
    """Read and validate ``path/lab.yaml``; raise LabError naming the file and field on any problem."""
    file = path / "lab.yaml"
    data = _read_yaml(file)
    lab_id = _field(data, "id", str, file, _("the folder's name, like 03-deployments"))
    if lab_id != path.name or not LAB_ID.match(lab_id):
        raise LabError(_("{file}: field \"id\" must be the folder's name ({folder}) in the form NN-slug; found {value!r}.",
                         file=file, folder=path.name, value=short_repr(lab_id)))
    namespace = _field(data, "namespace", str, file, _("a namespace name"))
    if not DNS_LABEL.match(namespace):
        raise LabError(_("{file}: field \"namespace\" must be a DNS label (lower case, digits, dashes); found {value!r}.",
                         file=file, value=short_repr(namespace)))
    needs = data.get("needs") or {}
    if not isinstance(needs, dict) or not all(isinstance(k, str) and k in CAPABILITIES and _capability(v)
                                              for k, v in needs.items()):
        raise LabError(_("{file}: field \"needs\" takes only {names}; found {value!r}.", file=file,
                         names=", ".join(CAPABILITIES), value=short_repr(needs)))
    classroom = data.get("classroom", "students")
    if classroom not in CLASSROOM:
        raise LabError(_("{file}: field \"classroom\" is one of {names}; found {value!r}.", file=file,
                         names=", ".join(CLASSROOM), value=short_repr(classroom)))
    return Lab(
        id=lab_id,
        order=_field(data, "order", int, file, _("a whole number")),
        title=_field(data, "title", str, file, _("the lab's English title")),
        minutes=_field(data, "minutes", int, file, _("the estimated time in minutes")),
        namespace=namespace,
        path=path,
        needs=needs,
        requires=tuple(_list(data, "requires", file, _is_text, _("a list of lab ids"))),
        secrets=tuple(_list(data, "secrets", file, _is_secret,
                            _("a list of secrets, each with a name and optionally type, literals and generate"))),
        classroom=classroom,
    )


def all_labs(root: Path | None = None) -> list[Lab]:
    """Every lab under ``root``, in catalog order."""
    root = root or labs_root()
    labs = [load_lab(p) for p in sorted(root.iterdir()) if (p / "lab.yaml").is_file()]
    return sorted(labs, key=lambda lab: (lab.order, lab.id))


def find_lab(name: str, root: Path | None = None) -> Lab:
    """A lab by id (``03-deployments``), number (``03``, ``3``) or slug (``deployments``)."""
    labs = all_labs(root)
    for lab in labs:
        if name in (lab.id, lab.slug) or (name.isdigit() and int(name) == int(lab.id[:2])):
            return lab
    raise UsageError(_("There is no lab called {name}. Run `kubelab labs` to see them all.", name=name))


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


def _field(data: dict, name: str, kind: type, file: Path, expected: str):
    value = data.get(name)
    if not isinstance(value, kind) or isinstance(value, bool) or (kind is str and not value.strip()):
        raise LabError(_("{file}: field \"{field}\" must be {expected}; found {value!r}.", file=file, field=name,
                         expected=expected, value=short_repr(value)))
    return value


def _list(data: dict, name: str, file: Path, item_ok, expected: str) -> list:
    value = data.get(name) or []
    if not isinstance(value, list) or not all(item_ok(item) for item in value):
        raise LabError(_("{file}: field \"{field}\" must be {expected}; found {value!r}.", file=file, field=name,
                         expected=expected, value=short_repr(value)))
    return value


def _is_text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_secret(spec) -> bool:
    """A generated Secret: ``name``, optional ``type``, ``literals`` (key: text) and ``generate`` (keys)."""
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not DNS_NAME.match(spec["name"]):
        return False
    literals, generate = spec.get("literals") or {}, spec.get("generate") or []
    return (isinstance(spec.get("type", ""), str) and isinstance(literals, dict) and isinstance(generate, list)
            and all(isinstance(k, str) and isinstance(v, (str, int, float)) for k, v in literals.items())
            and all(map(_is_text, generate)))


def _capability(wanted) -> bool:
    """A capability's wanted value: true/false, or a node count."""
    return isinstance(wanted, bool) or (isinstance(wanted, int) and 0 <= wanted <= 1000)
