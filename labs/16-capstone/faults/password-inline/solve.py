"""The mistake: read the generated database password out of the Secret and write it into WordPress's Deployment."""

import base64
from pathlib import Path

from checkers.scripts import sibling


def steps():
    return sibling(__file__, "steps.py")


def solve(kubectl):
    encoded = kubectl("get", "secret", "capstone-mysql", "-o", "jsonpath={.data.password}")
    manifest = Path(__file__).parent / "wordpress.yaml"
    manifest.write_text(manifest.read_text().replace("PASSWORD_FROM_THE_SECRET", base64.b64decode(encoded).decode()))
    do = steps()
    do.prepare(kubectl)
    do.apply_and_wait(kubectl)
    do.exercises(kubectl)
    do.restart_database(kubectl)
