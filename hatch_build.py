"""Hatch build hook: the wheel carries the notebooks of every lab in every language, generated here from the
labs' sources (they are build output, never committed). They install into ``share/kubelab/notebooks``.
An editable install needs none: there, kubelab reads the checkout's ``notebooks/`` (`kubelab build`)."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class NotebooksHook(BuildHookInterface):
    def initialize(self, version, build_data):
        if version == "editable":
            return
        sys.path.insert(0, self.root)
        from checkers.lab import all_labs
        from checkers.notebook_build import write_notebooks

        self._folder = Path(tempfile.mkdtemp(prefix="kubelab-notebooks-"))
        write_notebooks(all_labs(Path(self.root) / "labs"), self._folder)
        build_data["shared_data"][str(self._folder)] = "share/kubelab/notebooks"

    def finalize(self, version, build_data, artifact_path):
        if getattr(self, "_folder", None):
            shutil.rmtree(self._folder, ignore_errors=True)
