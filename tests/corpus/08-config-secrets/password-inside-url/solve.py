"""Copy the generated password into a connection URL written in the Deployment."""

import base64
from pathlib import Path

import yaml


def solve(kubectl):
    password = base64.b64decode(kubectl("get", "secret", "config-db-credentials", "-o",
                                        "jsonpath={.data.password}")).decode()
    kubectl("apply", "-f", "configmap.yaml")
    deployment = yaml.safe_load((Path(__file__).parent / "deployment.yaml").read_text())
    deployment["spec"]["template"]["spec"]["containers"][0]["env"].append(
        {"name": "DATABASE_URL", "value": f"mysql://app:{password}@dns-db:3306/app"})
    kubectl.apply(deployment)
