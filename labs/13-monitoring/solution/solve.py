"""The reference solution (the steps are in monitoring_setup.py)."""

import importlib.util
from pathlib import Path


def steps():
    spec = importlib.util.spec_from_file_location("monitoring_setup", Path(__file__).parent / "monitoring_setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def solve(kubectl):
    steps().setup(kubectl)
