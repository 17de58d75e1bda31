"""`kubelab new-lab NN-slug`: a new lab folder that works from the start and passes its own self-test.

The lab is small on purpose (a ConfigMap the learner fixes, one check, one fault): the author replaces
its content, keeping the shape every lab has (docs/authoring.md). The folder is written under a temporary
name and renamed into place, so it is never half there, and an existing folder is never overwritten.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from string import Template

from clusters.errors import UsageError
from clusters.files import write_atomic
from clusters.i18n import _

from .lab import LAB_ID, Lab, all_labs, load_lab

FILES = {
    "lab.yaml": """\
# The $slug lab (made by `kubelab new-lab`): replace the title, the time, the lesson, the check and the fault.
title: "$title"
minutes: 20
namespace: kubelab-$slug
needs:
  nodes: 1
requires: []
""",
    "checks.py": '''\
"""Checks of the $slug lab: the ConfigMap $name greets in English."""

from checkers import N_, Context, check, failed, passed
from checkers.kube import no_object
from checkers.semantics import dig

SETTINGS = "$name"


@check(N_("The settings ConfigMap holds greeting=hello"))
def settings_greeting(ctx: Context):
    settings = ctx.view.get("configmaps", SETTINGS)
    if settings is None:
        return no_object("ConfigMap", SETTINGS, (N_("`kubectl get configmaps` lists what exists."),))
    value = dig(settings, "data", "greeting")
    if value == "hello":
        return passed(N_("ConfigMap {name} holds greeting=hello."), name=SETTINGS)
    return failed(N_("ConfigMap {name} holds greeting={value}, not hello."), name=SETTINGS, value=str(value),
                  expected="hello", found=str(value),
                  hints=(N_("`kubectl get configmap {name} -o yaml` shows its data."),
                         N_("Change the value of `greeting` and apply the manifest again.")))
''',
    "manifests/settings.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: $name
data:
  greeting: hi
""",
    "solution/settings.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: $name
data:
  greeting: hello
""",
    "faults/wrong-greeting/fault.yaml": """\
trips: settings-greeting
why: The greeting is written Hello; values are compared exactly, case included.
""",
    "faults/wrong-greeting/settings.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: $name
data:
  greeting: Hello
""",
    "lesson.py": """\
# %% [markdown] key="title"
# # $title

# %% [markdown] key="objectives"
# In this lab you change a setting kept in a ConfigMap. By the end you will be able to:
#
# - read a ConfigMap with `kubectl get`;
# - change its data and apply it again.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab: it finds your cluster, creates the lab's namespace and its starting objects.
# The second one makes that namespace kubectl's default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("$id")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="step-read"
# ## A setting outside the program
#
# The lab started with a ConfigMap called `$name`. Read it:

# %% key="read-settings"
!kubectl get configmap $name -o yaml

# %% [markdown] key="exercise"
# ## Exercise
#
# Make the ConfigMap `$name` say `greeting: hello`, then run the checks.

# %% [markdown] key="check-intro"
# ## Check your work

# %% key="check" tags=["check"]
lab.check()

# %% [markdown] key="stuck"
# ## Stuck?
#
# The next cell applies the reference solution; the one after it runs the checks again. Because the solution
# replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief"
# ## Why it works
#
# The checks read the ConfigMap from the cluster, not your manifest: whatever way you changed it counts.

# %% [markdown] key="reset-intro"
# ## Start again
#
# To do the lab again from the beginning, run the next cell. Because it deletes your work, it only shows a
# button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
""",
}


def new_lab(lab_id: str, root: Path) -> Lab:
    """Write the lab ``lab_id`` under ``root`` and return it, loaded; a UsageError if the name is not free."""
    match = LAB_ID.match(lab_id)
    if not match:
        raise UsageError(_("{name}: a lab is named NN-slug or NNx-slug (two digits, an optional letter, a dash, "
                           "lower-case words joined by dashes), like 04a-probes.", name=lab_id))
    target = root / lab_id
    if target.exists():
        raise UsageError(_("{folder} already exists; new-lab never overwrites a lab.", folder=target))
    if not root.is_dir():
        raise UsageError(_("{folder} is not a folder of labs.", folder=root))
    number, slug = match["number"], match["slug"]
    taken = [lab.id for lab in all_labs(root) if lab.number == number or lab.slug == slug]
    if taken:
        raise UsageError(_("{ids} already has the number {number} or the name {slug}: choose another (a letter after "
                           "the number, as in 04a-probes, places a lab between two others without renumbering).",
                           ids=", ".join(taken), number=number, slug=slug))
    values = {"id": lab_id, "slug": slug, "name": f"{slug}-settings", "title": slug.replace("-", " ").capitalize()}
    draft = Path(tempfile.mkdtemp(dir=root, prefix=f".{lab_id}."))
    try:
        for name, text in FILES.items():
            (draft / name).parent.mkdir(parents=True, exist_ok=True)
            write_atomic(draft / name, Template(text).substitute(values))
        draft.chmod(0o755)
        draft.rename(target)
    finally:
        shutil.rmtree(draft, ignore_errors=True)
    return load_lab(target)
