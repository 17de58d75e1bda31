"""Where the embedded cluster's binaries come from, in this order.

1. the cache (``~/.cache/kubelab/<component>-<version>/bin``) or PATH, at the pinned version;
2. the official release binaries, verified against their published SHA-256 (``download``);
3. a build from Go modules through the Go module proxy (``gobuild``).

The first that works wins; only when all fail is ``BinariesUnavailable`` raised.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..base import Progress, quiet
from ..errors import BinariesUnavailable
from ..i18n import _
from . import download, gobuild
from .components import COMPONENTS, KWOK, NODE_COMPONENTS, TRAEFIK, Component, cache_root


@dataclass(frozen=True)
class Binaries:
    """Absolute paths of everything the embedded cluster runs."""

    paths: dict[str, Path]
    stages: tuple[Path, ...]

    def __getitem__(self, name: str) -> Path:
        return self.paths[name]


def find_on_path(component: Component) -> dict[str, Path] | None:
    """The component's binaries from PATH, if all are there at the pinned version."""
    found = {b: shutil.which(b) for b in component.binaries}
    if not all(found.values()):
        return None
    first = found[component.binaries[0]]
    try:
        out = subprocess.run([first, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    if component.version.lstrip("v") not in out:
        return None
    return {b: Path(p) for b, p in found.items()}


def ensure(progress: Progress = quiet, components: tuple[Component, ...] = COMPONENTS) -> Binaries:
    """Every binary and stage file of ``components``, fetching or building what is missing."""
    paths: dict[str, Path] = {}
    for component in components:
        on_path = None if component.cached() or component.stages else find_on_path(component)
        if on_path:
            paths.update(on_path)
            continue
        if not component.cached():
            with _exclusive(component, progress):
                if not component.cached():  # another kubelab may have made it while we waited
                    _obtain(component, progress)
        paths.update({b: component.bin_dir() / b for b in component.binaries})
    return Binaries(paths=paths, stages=KWOK.stage_paths())


@contextmanager
def _exclusive(component: Component, progress: Progress):
    """One fetch or build of a component at a time on this machine: others wait for it, then use its result."""
    path = cache_root() / "locks" / f"{component.name}-{component.version}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress(_("Another kubelab is fetching or building {name} {version}; waiting for it.",
                       name=component.name, version=component.version))
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _obtain(component: Component, progress: Progress) -> None:
    reasons = []
    for source, step in (("download", download.fetch), ("build", gobuild.build)):
        try:
            step(component, progress)
            return
        except BinariesUnavailable as exc:
            reasons.append(f"{source}: {exc}")
            progress(str(exc))
    raise BinariesUnavailable(
        _(
            "The {name} {version} binaries are not in {cache} and could not be obtained.\n{reasons}",
            name=component.name,
            version=component.version,
            cache=component.bin_dir(),
            reasons="\n".join(reasons),
        )
    )


if __name__ == "__main__":  # `python -m clusters.embedded.binaries [--node | --gateway]`: fetch or build them now
    import sys

    wanted = NODE_COMPONENTS if "--node" in sys.argv[1:] else (TRAEFIK,) if "--gateway" in sys.argv[1:] else COMPONENTS
    for name, path in ensure(print, wanted).paths.items():
        print(f"{name}: {path}")
