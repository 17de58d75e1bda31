"""The JupyterHub recipe's parts that run outside kubelab: the image's build context, the hub's spawn hook
(from the z2jh values the docs give) and the notebook pod's start hook."""

from __future__ import annotations

import os
import re
import subprocess
import types
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "clusters" / "jupyterhub"


def _dockerignore_rule(pattern: str) -> re.Pattern:
    """A .dockerignore pattern (Go's filepath.Match plus ``**``) as a regular expression on a relative path."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        else:
            out += {"*": "[^/]*", "?": "[^/]"}.get(pattern[i], re.escape(pattern[i]))
            i += 1
    return re.compile(out.rstrip("/"))


def _in_build_context(path: str) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    rules = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    parts = path.split("/")
    included = True
    for prefix in ("/".join(parts[:n]) for n in range(1, len(parts) + 1)):
        for rule in rules:
            negated = rule.startswith("!")
            if _dockerignore_rule(rule.lstrip("!")).fullmatch(prefix):
                included = negated
    return included


def test_the_image_build_context_holds_the_package_and_no_secrets():
    secrets = ["roster.csv", "class/roster.csv", "kubeconfigs/student-ana.kubeconfig", "grader.kubeconfig",
               "clusters/jupyterhub/kubeconfigs/student-ana.kubeconfig", "labs/grades/journal.jsonl",
               "checkers/.venv/bin/python", ".venv/lib/site.py", ".kube/config", "labs/.kube/config",
               "checkers/tokens/grader", "clusters/ca.key", "gradebook.csv", "test-artifacts/report.html",
               "checkers/__pycache__/view.cpython-311.pyc"]
    assert [p for p in secrets if _in_build_context(p)] == []
    sources = ["pyproject.toml", "README.md", "hatch_build.py", "checkers", "clusters", "labs"]
    package = subprocess.run(["git", "ls-files", *sources], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    assert len(package) > 100
    assert [p for p in package if not _in_build_context(p)] == []


def _spawn_hook():
    values = yaml.safe_load((RECIPE / "values.yaml").read_text())
    config = types.SimpleNamespace(KubeSpawner=types.SimpleNamespace())
    exec(values["hub"]["extraConfig"]["kubelab-spawn"], {"c": config})
    return config.KubeSpawner.pre_spawn_hook


class _Spawner:
    def __init__(self, name: str, slug: str, environment: dict):
        self.user = types.SimpleNamespace(name=name)
        self._slug, self.environment = slug, environment
        self.service_account, self.automount_service_account_token = "student-{username}", True

    def _expand_user_properties(self, template: str) -> str:
        return template.replace("{username}", self._slug)


def test_the_spawn_hook_finds_a_student_by_slug_and_lets_anyone_else_spawn_without_credentials(tmp_path,
                                                                                                 monkeypatch):
    languages = tmp_path / "languages.json"
    languages.write_text('{"ana-pop": "ro"}')
    real_path = Path
    monkeypatch.setattr("pathlib.Path", lambda p: languages if p == "/etc/kubelab/languages.json" else real_path(p))
    hook = _spawn_hook()
    shared = {"KUBELAB_NAMESPACE": "lab-{username}"}  # z2jh's extraEnv, possibly one dict for every spawner

    student = _Spawner("Ana.Pop", "ana-pop", shared)
    hook(student)
    assert student.environment == {"KUBELAB_NAMESPACE": "lab-{username}", "KUBELAB_LANG": "ro"}
    assert student.service_account == "student-{username}" and student.automount_service_account_token

    instructor = _Spawner("teacher", "teacher", shared)
    hook(instructor)
    assert instructor.environment == {}
    assert instructor.service_account is None and instructor.automount_service_account_token is False
    assert shared == {"KUBELAB_NAMESPACE": "lab-{username}"}


def test_the_start_hook_without_a_token_writes_no_kubeconfig_and_sets_the_language(tmp_path):
    env = {"HOME": str(tmp_path), "PATH": os.environ["PATH"], "KUBELAB_LANG": "fr"}
    subprocess.run(["sh", str(RECIPE / "kubelab-start-hook")], env=env, check=True)
    assert not (tmp_path / ".kube").exists()
    settings = tmp_path / ".jupyter/lab/user-settings/@jupyterlab/translation-extension/plugin.jupyterlab-settings"
    assert settings.read_text() == '{"locale": "fr_FR"}\n'


def test_the_values_name_the_accounts_the_hub_policy_allows():
    """The hub's pod policy (checkers/hub.py) lets the hub run pods only as ``student-<id>`` or ``default``: the
    values' hub identity and student servers' account are those, and nothing the chart renders into a notebook pod
    needs more than Pod Security ``baseline`` (the iptables init container is privileged)."""
    from checkers import hub

    values = yaml.safe_load((RECIPE / "values.yaml").read_text())
    room = hub.Classroom()
    assert values["hub"]["serviceAccount"] == {"create": False, "name": hub.HUB}
    assert values["singleuser"]["serviceAccountName"] == room.account("{username}")
    assert values["singleuser"]["cloudMetadata"] == {"blockWithIptables": False}
    assert room.account("{username}").startswith(room.account("")) and hub.SPAWNED_DEFAULT == "default"
