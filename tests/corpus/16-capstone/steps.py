"""The reference steps with a learner's variation. params: wait (the Deployments to wait for; default all),
reapply (re-apply MySQL with a changed template after its pod was deleted: a new ReplicaSet), note_password
(write the MySQL password into an annotation of WordPress's Deployment)."""

import base64
import json
from pathlib import Path

from checkers.scripts import sibling

HERE = Path(__file__).parent
PARAMS = json.loads((HERE / "params.txt").read_text())


def solve(kubectl):
    do = sibling(__file__, "steps.py")
    do.prepare(kubectl)
    do.apply_and_wait(kubectl, wait_for=PARAMS.get("wait", do.DEPLOYMENTS))
    if PARAMS.get("note_password"):
        password = base64.b64decode(kubectl("get", "secret", "capstone-mysql", "-o",
                                            "jsonpath={.data.password}")).decode()
        kubectl("annotate", "deployment/capstone-wordpress", f"kubelab.dev/note=db password {password}")
    if PARAMS.get("reapply"):
        do.restart_database(kubectl)
        kubectl("patch", "deployment/capstone-mysql", "-p",
                '{"spec":{"template":{"metadata":{"annotations":{"kubelab.dev/reapplied":"yes"}}}}}')
        kubectl("rollout", "status", "deployment/capstone-mysql", "--timeout=170s")
