"""TLS probe: is TLS there, does the certificate verify, is it self-signed.

One handshake that verifies (against the system's CAs, or ``cadata`` — e.g. the CA from a lab's
Secret); if verification fails, a second one without verification reads the certificate anyway.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import asdict, dataclass

from ..outcome import N_, Outcome, failed, passed
from .common import Target, Verdict, answer_failure, connect_failure, probe, unverified_tls

REQUIREMENTS = ("present", "verified", "self-signed")


@dataclass(frozen=True)
class TlsFacts:
    version: str  # "TLSv1.3"
    subject: str
    issuer: str
    self_signed: bool
    verified: bool
    problem: str  # why verification failed ("" when verified)


def tls_facts(target: Target, server_name: str | None = None, cadata: str | None = None,
              timeout: float = 5.0) -> TlsFacts:
    """What the server at ``target`` presents; raises ``Verdict`` when there is no TLS handshake at all."""
    verifying = ssl.create_default_context(cadata=cadata) if cadata else ssl.create_default_context()
    problem = ""
    try:
        version, der = _handshake(target, verifying, server_name, timeout)
    except ssl.SSLCertVerificationError as exc:
        problem = exc.verify_message or exc.reason or str(exc)
        version, der = _handshake(target, unverified_tls(), server_name, timeout)
    from cryptography import x509  # only when probing: `kubelab labs` loads every lab's checks

    cert = x509.load_der_x509_certificate(der)
    return TlsFacts(version, cert.subject.rfc4514_string(), cert.issuer.rfc4514_string(),
                    cert.subject == cert.issuer, not problem, problem)


@probe
def tls_probe(target: Target, require: str = "verified", server_name: str | None = None, cadata: str | None = None,
              timeout: float = 5.0) -> Outcome:
    """TLS at ``target`` is ``present`` (any certificate), ``verified`` (chain and name), or ``self-signed``."""
    if require not in REQUIREMENTS:
        raise ValueError(f"require is one of {REQUIREMENTS}")
    facts = tls_facts(target, server_name, cadata, timeout)
    found = "verified" if facts.verified else "self-signed" if facts.self_signed else facts.problem
    evidence = asdict(facts)
    if require == "verified" and not facts.verified:
        return failed(N_("The certificate of {target} does not verify: {problem}."), target=str(target),
                      problem=facts.problem, expected="verified", found=found, evidence=evidence,
                      hints=(N_("Clients trust a certificate signed by a CA they know, for the name they asked."),
                             N_("`openssl s_client -connect {target} -servername <name>` shows the chain."),
                             N_("Issue the certificate for the name clients use, signed by the lab's CA.")))
    if require == "self-signed" and not facts.self_signed:
        return failed(N_("The certificate of {target} is issued by {issuer}, not self-signed."), target=str(target),
                      issuer=facts.issuer, expected="self-signed", found=facts.issuer, evidence=evidence,
                      hints=(N_("A self-signed certificate has the same subject and issuer: `openssl req -x509`."),))
    params = dict(target=str(target), version=facts.version, subject=facts.subject, problem=facts.problem)
    if facts.verified:
        return passed(N_("{target} speaks {version} with a verified certificate for {subject}."), evidence, **params)
    if facts.self_signed:
        return passed(N_("{target} speaks {version} with a self-signed certificate for {subject}."), evidence,
                      **params)
    return passed(N_("{target} speaks {version} with a certificate for {subject} that does not verify ({problem})."),
                  evidence, **params)


def _handshake(target: Target, context: ssl.SSLContext, server_name: str | None, timeout: float):
    try:
        raw = socket.create_connection((target.host, target.port), timeout=timeout)
    except OSError as exc:
        raise connect_failure(exc, str(target)) from exc
    try:
        with context.wrap_socket(raw, server_hostname=server_name or target.host) as tls:
            return tls.version(), tls.getpeercert(binary_form=True)
    except ssl.SSLCertVerificationError:
        raise
    except ssl.SSLError as exc:
        raise Verdict(failed(N_("{target} does not speak TLS ({reason})."), target=str(target), reason=exc.reason or
                             str(exc), expected="TLS", found=exc.reason or str(exc),
                             hints=(N_("Is this the TLS port? Plain HTTP on a TLS port fails this way."),
                                    N_("Check the server's TLS settings: certificate, key, and `ssl` on the "
                                       "listening port.")))) from exc
    except OSError as exc:
        raise answer_failure(exc, str(target)) from exc
    finally:
        raw.close()
