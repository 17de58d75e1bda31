"""FTPS probes: explicit TLS on the control port, login, ``PROT P``, a passive upload and download.

``ftps_probe`` writes: it logs in as the learner's FTP user, uploads one small file with a random
name (``kubelab-probe-<hex>.txt``) into that user's own directory, reads it back, lists it, and
deletes it — moving a file is the only proof that FTPS data connections work. Nothing else is
touched.

Data connections use the control connection's address (``ftplib`` ignores the address in the
``227`` reply), so a NodePort or LoadBalancer works as long as every passive port is exposed with
``port == nodePort``. They also resume the control connection's TLS session, which vsftpd demands
by default (``require_ssl_reuse=YES``, answered ``522 SSL connection failed: session reuse
required``); servers that do not demand it accept it too.
"""

from __future__ import annotations

import ftplib
import io
import secrets
import ssl

from ..outcome import N_, Outcome, failed, passed
from .common import Target, Verdict, connect_failure, probe, unverified_tls

FTP_ERRORS = (ftplib.Error, OSError, EOFError)


class SessionReusingFTP_TLS(ftplib.FTP_TLS):
    """``FTP_TLS`` whose data connections resume the control connection's TLS session (CPython #63699)."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size


@probe
def ftps_probe(target: Target, user: str, password: str, timeout: float = 10.0,
               context: ssl.SSLContext | None = None) -> Outcome:
    """Explicit FTPS works end to end at ``target`` for ``user`` (certificates are not verified)."""
    ftp = SessionReusingFTP_TLS(context=context or unverified_tls(), timeout=timeout)
    where = str(target)
    try:
        _connect(ftp, target, timeout)
        _step(ftp.auth, where, N_("{target} does not offer explicit TLS: AUTH TLS was answered {reply}."),
              (N_("Explicit FTPS starts in plain text and upgrades with AUTH TLS: the server needs TLS turned on."),
               N_("vsftpd: `ssl_enable=YES` with `rsa_cert_file`; pure-ftpd: `--tls=2`.")))
        _step(lambda: ftp.login(user, password), where, N_("{target} refused the login of {user}: {reply}."),
              (N_("Are the user name and password the ones in the Secret?"),
               N_("`kubectl get secret <name> -o jsonpath='{{.data}}'` shows the keys; decode them with base64.")),
              user=user)
        _step(ftp.prot_p, where, N_("{target} refused to protect data connections (PROT P): {reply}."), ())
        version = ftp.sock.version()
        return _round_trip(ftp, where, user, version)
    finally:
        ftp.close()


@probe
def ftps_refuses_plain(target: Target, user: str, password: str, timeout: float = 10.0) -> Outcome:
    """The server at ``target`` refuses a cleartext login (the password would cross the network readable)."""
    ftp = ftplib.FTP(timeout=timeout)
    where = str(target)
    try:
        _connect(ftp, target, timeout)
        try:
            ftp.login(user, password)
        except FTP_ERRORS as exc:  # a 5xx reply, or a server that hangs up on a cleartext USER
            return passed(N_("{target} refuses cleartext logins ({reply})."), target=where, reply=_reply(exc))
        return failed(N_("{target} accepts a login without TLS: passwords cross the network in clear text."),
                      target=where, expected=N_("cleartext login refused"), found=N_("cleartext login accepted"),
                      hints=(N_("Make TLS mandatory for logins, not optional."),
                             N_("vsftpd: `force_local_logins_ssl=YES` and `force_local_data_ssl=YES`; "
                                "pure-ftpd: `--tls=2`.")))
    finally:
        ftp.close()


def _connect(ftp: ftplib.FTP, target: Target, timeout: float) -> None:
    try:
        ftp.connect(target.host, target.port, timeout=timeout)
    except OSError as exc:
        if ftp.sock is None:  # the TCP connection itself failed
            raise connect_failure(exc, str(target)) from exc
        raise Verdict(_no_greeting(target, _reply(exc))) from exc
    except (ftplib.Error, EOFError) as exc:
        raise Verdict(_no_greeting(target, _reply(exc))) from exc


def _no_greeting(target: Target, reply: str) -> Outcome:
    return failed(N_("{target} did not greet like an FTP server: {reply}."), target=str(target), reply=reply,
                  expected="220", found=reply,
                  hints=(N_("Is this the FTP control port (21 in the container)? Check the Service's targetPort."),))


def _round_trip(ftp: ftplib.FTP_TLS, where: str, user: str, version: str) -> Outcome:
    name = f"kubelab-probe-{secrets.token_hex(6)}.txt"
    payload = secrets.token_hex(32).encode()
    received = bytearray()
    hints = (N_("Every passive port needs a Service port with the same port, targetPort and nodePort."),
             N_("The passive address the server announces must be the one clients dial; check its passive "
                "settings and its logs."))
    message = N_("A passive {step} through {target} failed: {reply}.")
    _step(lambda: ftp.storbinary(f"STOR {name}", io.BytesIO(payload)), where, message, hints, step=N_("upload"))
    try:
        _step(lambda: ftp.retrbinary(f"RETR {name}", received.extend), where, message, hints, step=N_("download"))
        listing = _step(ftp.nlst, where, message, hints, step=N_("listing"))
    finally:
        try:
            ftp.delete(name)
        except FTP_ERRORS:
            pass  # best effort: the file holds nothing but random bytes
    if bytes(received) != payload or not any(entry.endswith(name) for entry in listing):
        return failed(N_("The file uploaded to {target} came back different or was not listed."), target=where,
                      expected=N_("the same bytes, listed"), found=f"{len(received)} B",
                      hints=(N_("Is the FTP user's directory on a volume the server can write and read?"),))
    return passed(N_("{target}: {user} logged in over {version}, and a passive upload, download and listing "
                     "worked."), target=where, user=user, version=version)


def _step(action, where: str, message: str, hints: tuple, **params):
    """Run one FTP step; a refusal or a broken connection stops the probe with ``message``."""
    try:
        return action()
    except ssl.SSLError as exc:
        reason = exc.reason or str(exc)
        raise Verdict(failed(N_("{target} broke off the TLS connection ({reason}); the server's logs tell why."),
                             target=where, reason=reason, expected="TLS", found=reason,
                             hints=(N_("`kubectl logs` on the FTP server's pod."),
                                    N_("vsftpd answers `500 OOPS: …` in plain text when it fails inside a TLS "
                                       "session, e.g. on a home directory it cannot enter.")))) from exc
    except FTP_ERRORS as exc:
        reply = _reply(exc)
        raise Verdict(failed(message, target=where, reply=reply, expected=N_("a 2xx reply"), found=reply,
                             hints=hints, **params)) from exc


def _reply(exc: Exception) -> str:
    """The server's reply line, or what happened to the connection."""
    if isinstance(exc, ftplib.Error) and str(exc).strip():
        return str(exc).strip().splitlines()[0]
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, EOFError):
        return "connection closed"
    return getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
