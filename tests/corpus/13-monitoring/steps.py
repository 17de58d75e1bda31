"""The learner pastes the InfluxDB password where the case's grafana.yaml says PASSWORD_FROM_THE_SECRET; then
the reference steps run."""

import base64
from pathlib import Path

from checkers.scripts import sibling

HERE = Path(__file__).parent


def solve(kubectl):
    encoded = kubectl("get", "secret", "monitoring-influxdb-credentials", "-o",
                      "jsonpath={.data.INFLUXDB_USER_PASSWORD}")
    manifest = HERE / "grafana.yaml"
    manifest.write_text(manifest.read_text().replace("PASSWORD_FROM_THE_SECRET", base64.b64decode(encoded).decode()))
    sibling(__file__, "monitoring_setup.py").setup(kubectl)
