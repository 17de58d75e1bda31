"""The mistake: read the authtoken out of the Secret and write it into the agent's Deployment."""

import base64
from pathlib import Path

import yaml

from checkers.scripts import sibling


def steps():
    return sibling(__file__, "ngrok_setup.py")


def solve(kubectl):
    steps().setup(kubectl)
    token = base64.b64decode(kubectl("get", "secret", "ngrok-authtoken", "-o", "jsonpath={.data.token}")).decode()
    manifest = yaml.safe_load((Path(__file__).parent / "agent.yaml").read_text(encoding="utf-8"))
    manifest["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "NGROK_AUTHTOKEN", "value": token}]
    kubectl.apply(manifest)
