"""Copy the generated password into the ConfigMap, and read it from there."""

import base64
from pathlib import Path

import yaml


def solve(kubectl):
    password = base64.b64decode(kubectl("get", "secret", "config-db-credentials", "-o",
                                        "jsonpath={.data.password}")).decode()
    config = yaml.safe_load((Path(__file__).parent / "configmap.yaml").read_text())
    config["data"]["DB_PASSWORD"] = password
    kubectl.apply(config)
    kubectl("apply", "-f", "deployment.yaml")
