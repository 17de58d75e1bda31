"""The expected failures of kubelab, one tree under ``KubelabError``, and the exit codes.

Each carries a message already fit for the user and its ``exit_code``; the CLI maps
them in one place, so nothing expected ever reaches the user as a traceback. The API,
minikube and kubectl kinds live here too (``clusters.api`` and the others import them
from here); only ``LabError`` and ``RosterError`` still sit beside their parsers.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What every `kubelab` command ends with; nothing else picks an exit status."""

    OK = 0  #: everything passed / nothing wrong
    PROBLEM = 1  #: a check failed, or the doctor found a problem
    CANNOT_RUN = 2  #: bad input, a usage error, no cluster, or an error that is not the learner's
    INTERNAL = 3  #: a bug in kubelab: a one-line message says where the traceback was logged
    INTERRUPTED = 130  #: Ctrl-C


UNREACHABLE, TIMEOUT, OBSTRUCTED, API = "unreachable", "timeout", "obstructed", "api"
NAMESPACE_MISSING = "namespace-missing"  # not an exception: the lab's namespace was read and is not there


class KubelabError(Exception):
    """An expected failure: print the message, no traceback."""

    exit_code = ExitCode.CANNOT_RUN
    kind = API  #: how class grading files a check this error left undecided


def error_kind(exc: BaseException) -> str:
    """The kind of an error that left a check undecided (``kind`` of a ``KubelabError``; anything else is ``api``)."""
    return exc.kind if isinstance(exc, KubelabError) else API


class UsageError(KubelabError):
    """Bad input from the user: a flag, a lab name, a file."""


class BinariesUnavailable(KubelabError):
    """The embedded cluster's binaries are not cached and cannot be fetched or built."""


class ChecksumMismatch(BinariesUnavailable):
    """A downloaded file does not match its published SHA-256."""


class BuildFailed(BinariesUnavailable):
    """Building a component from Go modules failed; the message names the log."""


class ClusterNotRunning(KubelabError):
    """No cluster is running for the chosen backend."""


class ClusterStartFailed(KubelabError):
    """A component of the embedded cluster did not become ready."""


class NoKubeconfig(KubelabError):
    """No kubeconfig, context or in-cluster configuration could be found."""

    kind = UNREACHABLE


class ApiError(KubelabError):
    """The API server could not answer as asked. Never the learner's fault."""

    status = 0


class ApiUnreachable(ApiError):
    """No answer at all: connection refused, TLS failure, DNS."""

    kind = UNREACHABLE


class ApiTimeout(ApiError):
    """No answer in time."""

    kind = TIMEOUT


class ApiForbidden(ApiError):
    """401 or 403: our identity may not do this."""

    status = 403
    kind = OBSTRUCTED  # the grader was refused: its access in the namespace was removed or narrowed


class ApiNotFound(ApiError):
    """404: the object or the API does not exist."""

    status = 404


class ApiMalformed(ApiError):
    """The answer was not the JSON we expected."""


class MinikubeError(KubelabError):
    """minikube is missing, failed, hung, or printed something we cannot read."""


class MinikubeMissing(MinikubeError):
    """No ``minikube`` on PATH."""


class MinikubeTooOld(MinikubeError):
    """The installed minikube is older than ``MINIMUM_VERSION``."""


class MinikubeTimeout(MinikubeError):
    """A minikube command did not finish in time."""


class MinikubeFailed(MinikubeError):
    """A minikube command exited with an error."""


class MinikubeMalformed(MinikubeError):
    """A minikube command printed something that is not what we expected."""


class ActionFailed(KubelabError):
    """A kubectl step of `start`, `solve`, `reset` or a self-test failed; the message quotes kubectl's own words."""
