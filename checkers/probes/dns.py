"""DNS: judging a lookup made inside the cluster, and a small resolver for this machine.

Cluster DNS answers only inside the cluster, so a read-only probe from outside cannot ask it. The
lab arranges the lookup (a Job or the learner's pod runs ``dig +short <name>``, and the check reads
its output, e.g. from the Job's logs); ``dns_answer`` judges that output. ``resolve`` looks a name
up from this machine, for names meant to resolve outside the cluster (an ingress host, for instance).
"""

from __future__ import annotations

import socket
import threading

from ..outcome import N_, Outcome, failed, passed


def parse_dig_short(output: str) -> list[str]:
    """The records of ``dig +short`` output (CNAMEs without their final dot), comments dropped."""
    return [line.strip().rstrip(".") for line in output.splitlines()
            if line.strip() and not line.lstrip().startswith(";")]


def dns_answer(name: str, output: str, expected: list[str]) -> Outcome:
    """The in-cluster lookup of ``name`` (``dig +short`` ``output``) holds every record in ``expected``."""
    records = parse_dig_short(output)
    wanted = [value.rstrip(".") for value in expected]
    hints = (N_("Inside the cluster a Service is <service>.<namespace>.svc.cluster.local."),
             N_("Try it yourself: `kubectl run dns-test --rm -it --image=busybox:1.37 --restart=Never -- "
                "nslookup {name}`"))
    if not records:
        return failed(N_("{name} does not resolve inside the cluster."), name=name, expected=", ".join(wanted),
                      found="-", hints=(N_("Does the Service exist in that namespace, spelled that way?"), *hints))
    missing = [value for value in wanted if value not in records]
    if missing:
        return failed(N_("{name} resolves to {records}, without {missing}."), name=name, records=", ".join(records),
                      missing=", ".join(missing), expected=", ".join(wanted), found=", ".join(records), hints=hints)
    return passed(N_("{name} resolves to {records}."), name=name, records=", ".join(records))


def resolve(host: str, timeout: float = 3.0) -> list[str] | None:
    """The addresses of ``host`` seen from this machine: [] if it does not resolve, None on a timeout."""
    found: list = []

    def lookup():
        try:
            found.extend(sorted({info[4][0] for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)}))
        except OSError:
            pass
    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(timeout)
    return None if worker.is_alive() else found
