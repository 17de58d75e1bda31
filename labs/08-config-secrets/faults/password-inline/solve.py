"""The mistake: read the generated password out of the Secret and write it into the Deployment."""

import base64
from pathlib import Path

import yaml


def solve(kubectl):
    encoded = kubectl("get", "secret", "config-db-credentials", "-o", "jsonpath={.data.password}")
    password = base64.b64decode(encoded).decode()
    manifest = (Path(__file__).parent / "deployment.yaml").read_text(encoding="utf-8")
    kubectl("apply", "-f", "configmap.yaml")
    kubectl.apply(yaml.safe_load(manifest.replace("PASSWORD_FROM_THE_SECRET", password)))
