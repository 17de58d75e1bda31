"""The reference solution: a TLS Secret made now, then the FTPS server and its Service (see ftps_setup.py)."""

import importlib.util
from pathlib import Path


def steps():
    spec = importlib.util.spec_from_file_location("ftps_setup", Path(__file__).parent / "ftps_setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def solve(kubectl):
    steps().setup(kubectl)
