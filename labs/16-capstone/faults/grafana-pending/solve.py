"""Grafana never becomes ready here: wait for every other component only."""

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
    do.apply_and_wait(kubectl, wait_for=[name for name in do.DEPLOYMENTS if name != "capstone-grafana"])
    do.exercises(kubectl)
    do.restart_database(kubectl)
