"""The learner's manifests applied as they wrote them, NAMESPACE replaced by the lab's namespace in the files
``params`` names (a route that spells its namespaces out)."""

import json
from pathlib import Path


def solve(kubectl):
    here = Path(__file__).parent
    named = json.loads((here / "params.txt").read_text())["namespace_in"]
    for file in sorted(here.glob("*.yaml")):
        text = file.read_text()
        kubectl("apply", "-f", "-", stdin=text.replace("NAMESPACE", kubectl.namespace) if file.name in named else text)
