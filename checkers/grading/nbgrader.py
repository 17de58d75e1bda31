"""A lab's points for an nbgrader "Autograder tests" cell: a float as the cell's value, nothing on stderr.

nbgrader gives full credit to a non-float cell value and zero to any stderr output, so
the cell must end with the float this returns (see docs/instructors.md)::

    from checkers.grading.nbgrader import lab_points
    lab_points("03-deployments")

The namespace is ``$KUBELAB_NAMESPACE``, else the lab's own; the cluster is the
kubeconfig or in-cluster identity of the kernel (give it the grader's). Checks
that could not be decided neither earn nor cost points: the score is prorated over
the checks that could. When none could (no cluster at all), the cell raises, so
nbgrader flags it for the instructor instead of scoring it either way.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings

from clusters.base import detect_capabilities
from clusters.kubeconfig import resolve

from ..lab import find_lab, working_namespace
from ..runner import run_lab


class NotGradable(RuntimeError):
    """No check of the lab could be decided: regrade once the cluster answers."""


def lab_points(lab_name: str, namespace: str | None = None, timeout: float = 5.0) -> float:
    """Points earned in ``lab_name``, prorated over the decidable checks; warnings and logs are swallowed."""
    lab = find_lab(lab_name)
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        logging.disable(logging.CRITICAL)
        try:
            api = resolve().api_client()
            try:
                result = run_lab(lab, api, working_namespace(lab, namespace), detect_capabilities(api),
                                 timeout=timeout)
            finally:
                api.close()
        except Exception as exc:  # no cluster at all
            raise NotGradable(f"{lab.id}: the cluster could not be read ({type(exc).__name__})") from None
        finally:
            logging.disable(logging.NOTSET)
    if result.max == 0:
        raise NotGradable(f"{lab.id}: no check could be decided; regrade when the cluster answers")
    total = sum(c.points for c in lab.checks)
    return round(result.score / result.max * total, 2)
