"""The grading engine: labs, checks, outcomes and the read-only cluster view (sits on ``clusters``).

A lab's ``checks.py`` needs only what is exported here, ``checkers.kube`` (shared
facts and verdicts about objects) and ``checkers.semantics`` (what Kubernetes
resolves: the lab-authoring API, see docs/authoring.md).
"""

from .outcome import N_, Outcome, error, failed, not_yet, passed, skipped
from .registry import check
from .runner import Context
from .view import condition, labels_match, owned_by

__all__ = ["N_", "Outcome", "check", "Context", "condition", "error", "failed", "labels_match", "not_yet",
           "owned_by", "passed", "skipped"]
