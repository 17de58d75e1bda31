"""The learner copies the generated password into plain text; params: into (configmap or url)."""

import base64
import json
from pathlib import Path

import yaml

HERE = Path(__file__).parent
PARAMS = json.loads((HERE / "params.txt").read_text())


def solve(kubectl):
    password = base64.b64decode(kubectl("get", "secret", "config-db-credentials", "-o",
                                        "jsonpath={.data.password}")).decode()
    config = yaml.safe_load((HERE / "configmap.yaml").read_text())
    deployment = yaml.safe_load((HERE / "deployment.yaml").read_text())
    if PARAMS["into"] == "configmap":
        config["data"]["DB_PASSWORD"] = password
    else:
        deployment["spec"]["template"]["spec"]["containers"][0]["env"].append(
            {"name": "DATABASE_URL", "value": f"mysql://app:{password}@dns-db:3306/app"})
    kubectl.apply(config)
    kubectl.apply(deployment)
