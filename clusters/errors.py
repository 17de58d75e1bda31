"""The expected failures of kubelab, one tree under ``KubelabError``, and the exit codes.

Each carries a message already fit for the user. The CLI maps them to exit
codes in one place; nothing expected ever reaches the user as a traceback.
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


class KubelabError(Exception):
    """An expected failure: print the message, no traceback."""

    exit_code = ExitCode.CANNOT_RUN


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


class ClusterUnreachable(KubelabError):
    """The Kubernetes API cannot be reached or refuses our credentials."""


class NoKubeconfig(KubelabError):
    """No kubeconfig, context or in-cluster configuration could be found."""
