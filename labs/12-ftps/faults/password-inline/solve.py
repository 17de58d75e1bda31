"""The mistake: read the generated password out of the Secret and write it into the Deployment."""

import base64

import importlib.util
from pathlib import Path


def steps():
    spec = importlib.util.spec_from_file_location("ftps_setup", Path(__file__).parent / "ftps_setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def solve(kubectl):
    encoded = kubectl("get", "secret", "ftps-credentials", "-o", "jsonpath={.data.password}")
    manifest = (Path(__file__).parent / "ftps.yaml").read_text(encoding="utf-8")
    (Path(__file__).parent / "ftps.yaml").write_text(
        manifest.replace("PASSWORD_FROM_THE_SECRET", base64.b64decode(encoded).decode()), encoding="utf-8")
    steps().setup(kubectl)
