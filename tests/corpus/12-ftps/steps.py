"""The learner pastes the generated password where the case's ftps.yaml says PASSWORD_FROM_THE_SECRET, then the
reference steps run on that manifest."""

import base64
from pathlib import Path

from checkers.scripts import sibling

HERE = Path(__file__).parent


def solve(kubectl):
    password = base64.b64decode(kubectl("get", "secret", "ftps-credentials", "-o",
                                        "jsonpath={.data.password}")).decode()
    text = (HERE / "ftps.yaml").read_text().replace("PASSWORD_FROM_THE_SECRET", password)
    (HERE / "ftps-as-applied.yaml").write_text(text)
    sibling(__file__, "ftps_setup.py").setup(kubectl, "ftps-as-applied.yaml")
