"""The mistake: read the generated password out of the Secret and write it into the Deployment."""

import base64
from pathlib import Path

from checkers.scripts import sibling


def steps():
    return sibling(__file__, "ftps_setup.py")


def solve(kubectl):
    encoded = kubectl("get", "secret", "ftps-credentials", "-o", "jsonpath={.data.password}")
    manifest = (Path(__file__).parent / "ftps.yaml").read_text(encoding="utf-8")
    (Path(__file__).parent / "ftps.yaml").write_text(
        manifest.replace("PASSWORD_FROM_THE_SECRET", base64.b64decode(encoded).decode()), encoding="utf-8")
    steps().setup(kubectl)
