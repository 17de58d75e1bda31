"""Keep secret values out of everything grading writes: evidence, params, found/expected.

Secret-shaped data is replaced by ``REDACTED`` wherever it appears: the
``data``/``stringData`` of a Secret (and kubectl's last-applied copy of it),
values under keys that name a credential (``password``, ``token``…), and the
``value`` of an env-style ``{"name": "DB_PASSWORD", "value": …}`` pair.
"""

from __future__ import annotations

import re

REDACTED = "<redacted>"
SENSITIVE_WORDS = {"password", "passwd", "pwd", "secret", "token", "apikey", "credential", "credentials", "privatekey"}
NAMING_WORDS = {"name", "names", "ref", "namespace", "type"}  # secretName names a Secret; it is not one
WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def redact(value):
    """A copy of ``value`` (JSON-like) with every secret value replaced."""
    if isinstance(value, list):
        return [redact(v) for v in value]
    if not isinstance(value, dict):
        return value
    is_secret = value.get("kind") == "Secret"
    env_pair = isinstance(value.get("name"), str) and _sensitive(value["name"]) and "value" in value
    copy = {}
    for key, item in value.items():
        if (is_secret and key in ("data", "stringData") and isinstance(item, dict)):
            copy[key] = {k: REDACTED for k in item}
        elif key == LAST_APPLIED or (env_pair and key == "value"):
            copy[key] = REDACTED
        elif isinstance(key, str) and _sensitive(key) and isinstance(item, (str, int, float)) \
                and not isinstance(item, bool):
            copy[key] = REDACTED
        else:
            copy[key] = redact(item)
    return copy


def _sensitive(name: str) -> bool:
    """Whether a key or variable name names a credential (``dbPassword``, ``API_KEY``), not a reference to one."""
    words = [w.lower() for w in WORD.findall(name)]
    joined = {a + b for a, b in zip(words, words[1:])}
    return bool((set(words) | joined) & SENSITIVE_WORDS) and not (words and words[-1] in NAMING_WORDS)
