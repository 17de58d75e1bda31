"""The mistake: read the InfluxDB password out of the Secret and paste it into the datasource file."""

import base64
from pathlib import Path

from checkers.scripts import sibling


def steps():
    return sibling(__file__, "monitoring_setup.py")


def solve(kubectl):
    encoded = kubectl("get", "secret", "monitoring-influxdb-credentials", "-o",
                      "jsonpath={.data.INFLUXDB_USER_PASSWORD}")
    manifest = Path(__file__).parent / "grafana.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "PASSWORD_FROM_THE_SECRET", base64.b64decode(encoded).decode()), encoding="utf-8")
    steps().setup(kubectl)
