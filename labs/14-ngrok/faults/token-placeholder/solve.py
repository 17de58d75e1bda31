"""The mistake: the placeholder of the documentation instead of the real authtoken."""

import importlib.util
from pathlib import Path


def steps():
    spec = importlib.util.spec_from_file_location("ngrok_setup", Path(__file__).parent / "ngrok_setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def solve(kubectl):
    steps().setup(kubectl, token="YOUR_NGROK_AUTHTOKEN")
