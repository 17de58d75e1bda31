"""The reference solution: the whole stack, then the two crash tests (see steps.py)."""

import importlib.util
from pathlib import Path


def steps():
    spec = importlib.util.spec_from_file_location("capstone_steps", Path(__file__).parent / "steps.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def solve(kubectl):
    do = steps()
    do.prepare(kubectl)
    do.apply_and_wait(kubectl)
    do.exercises(kubectl)
    do.restart_database(kubectl)
