"""STARTTLS and implicit TLS against a real SMTP server with a self-signed certificate,
with and without AUTH; the certificate is checked."""

from __future__ import annotations

from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from portal.mail.config import MailConfig
from portal.mail.models import OutgoingEmail
from portal.mail.outbox import queue_email
from portal.mail.sender import send_due
from portal.mail.transport import SmtpTransport, tls_context
from tests.mail.conftest import SmtpServer, free_port


class Authenticator:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.seen.append((login, password))
        # handled=False: the server answers 535 itself on a failure.
        return AuthResult(success=(login, password) == ("mailer", "s3cret"), handled=False)


def queue_one(session, to="a@example.test"):
    email = queue_email(session, to=to, subject="TLS test", text="hello", html="<p>hello</p>",
                        kind="test")
    session.commit()
    return email


def status(session):
    return session.scalars(select(OutgoingEmail.status)
                           .execution_options(populate_existing=True)).all()


def start(certificate, **options) -> SmtpServer:
    server = SmtpServer(free_port(), options=options)
    server.start()
    return server


def test_starttls_with_auth_delivers(db_session, certificate):
    authenticator = Authenticator()
    server = start(certificate, tls_context=certificate.server_context, require_starttls=True,
                   authenticator=authenticator, auth_require_tls=True)
    try:
        queue_one(db_session)
        config = server.config(security="starttls", ca_file=certificate.cert,
                               user="mailer", password="s3cret")
        report = send_due(db_session, config)
        assert report.sent == 1, report
        assert authenticator.seen == [("mailer", "s3cret")]
        assert len(server.received) == 1
    finally:
        server.stop()


def test_starttls_server_refuses_plain_sessions_and_mail_waits(db_session, certificate):
    server = start(certificate, tls_context=certificate.server_context, require_starttls=True)
    try:
        queue_one(db_session)
        report = send_due(db_session, server.config(security="none"))
        assert report.retrying == 1 and report.problems  # a setting to fix, not the message
        assert status(db_session) == ["queued"]
        assert server.received == []
    finally:
        server.stop()


def test_wrong_password_keeps_mail_queued(db_session, certificate):
    server = start(certificate, tls_context=certificate.server_context, require_starttls=True,
                   authenticator=Authenticator(), auth_require_tls=True)
    try:
        queue_one(db_session)
        config = server.config(security="starttls", ca_file=certificate.cert,
                               user="mailer", password="wrong")
        report = send_due(db_session, config)
        assert report.retrying == 1 and "535" in report.problems[0]
        assert status(db_session) == ["queued"]
    finally:
        server.stop()


def test_implicit_tls_delivers(db_session, certificate):
    server = start(certificate, ssl_context=certificate.server_context)
    try:
        queue_one(db_session)
        report = send_due(db_session, server.config(security="tls", ca_file=certificate.cert))
        assert report.sent == 1, report
        assert len(server.received) == 1
    finally:
        server.stop()


def test_an_untrusted_certificate_is_refused(db_session, certificate):
    server = start(certificate, ssl_context=certificate.server_context)
    try:
        queue_one(db_session)
        report = send_due(db_session, server.config(security="tls"))  # system CAs only
        assert report.retrying == 1
        assert "CERTIFICATE_VERIFY_FAILED" in report.problems[0]
        assert server.received == []
    finally:
        server.stop()


def test_tls_context_verifies_by_default(certificate):
    import ssl

    context = tls_context(MailConfig())
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    with_ca = tls_context(MailConfig(ca_file=certificate.cert))
    assert with_ca.cert_store_stats()["x509_ca"] >= 1


def test_transport_picks_the_connection_class(monkeypatch):
    import smtplib

    calls = []

    class Fake:
        def __init__(self, *args, **kwargs):
            calls.append((type(self).__name__, args, sorted(kwargs)))

        def ehlo(self):
            calls.append("ehlo")

        def starttls(self, context):
            calls.append(("starttls", context.verify_mode))

        def login(self, user, password):
            calls.append(("login", user))

        def close(self):
            pass

    class FakeSSL(Fake):
        pass

    monkeypatch.setattr(smtplib, "SMTP", Fake)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSSL)
    SmtpTransport(MailConfig(host="h", port=587, security="starttls", user="u")).connect()
    assert calls[0] == ("Fake", ("h", 587), ["timeout"])
    assert calls[1:] == ["ehlo", ("starttls", 2), "ehlo", ("login", "u")]
    calls.clear()
    SmtpTransport(MailConfig(host="h", port=465, security="tls")).connect()
    assert calls == [("FakeSSL", ("h", 465), ["context", "timeout"]), "ehlo"]
    calls.clear()
    SmtpTransport(MailConfig(host="h", port=25, security="none")).connect()
    assert calls == [("Fake", ("h", 25), ["timeout"]), "ehlo"]
