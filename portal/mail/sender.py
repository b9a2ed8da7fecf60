"""The mail sender: claims due emails from the outbox and delivers them over SMTP.

Each email is claimed by exactly one sender at a time, in a short transaction of its own:
``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite, and in
both cases a conditional ``UPDATE ... WHERE status = <what we saw>`` whose row count must be
one. The claim carries a random token and a lease; the result is written only by the holder
of the token. A sender that dies mid-delivery leaves a ``sending`` row whose lease runs out;
another sender then picks it up again (SMTP cannot tell us whether the server kept the
message, so that rare case may deliver twice; the unchanged Message-ID lets mail software
recognise the duplicate).

Failed attempts wait ``MAIL_RETRY_SECONDS`` doubling each time up to
``MAIL_RETRY_MAX_SECONDS``; after ``MAIL_RETRY_LIMIT`` attempts, or when the server refuses
the message for good (a 5xx answer to the sender, recipient or content), the email is
``failed`` and waits for staff.

With no SMTP host: in development the email is "delivered" to the local mailbox (the
``/dev/mail`` page); elsewhere it stays queued until a host is configured.
"""

from __future__ import annotations

import logging
import secrets
import signal
import smtplib
import ssl
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from portal.db import immediate, utcnow
from portal.mail.models import FAILED, QUEUED, SENDING, SENT, VIA_LOCAL, VIA_SMTP, OutgoingEmail

log = logging.getLogger(__name__)

SECURITY_MODES = ("none", "starttls", "tls")


@dataclass(frozen=True)
class MailConfig:
    """What the sender needs from the settings (no Flask needed to send)."""

    host: str = ""
    port: int = 25
    security: str = "none"
    user: str = ""
    password: str = ""
    sender: str = "no-reply@portal.invalid"
    brand: str = ""
    timeout: int = 30
    ca_file: str = ""
    env: str = "production"
    retry_limit: int = 12
    retry_seconds: int = 60
    retry_max_seconds: int = 6 * 3600
    poll_seconds: int = 5

    def __post_init__(self) -> None:
        if self.security not in SECURITY_MODES:
            raise ValueError(
                f"PORTAL_SMTP_SECURITY must be none, starttls or tls, got {self.security!r}"
            )
        if self.retry_limit < 1:
            raise ValueError("PORTAL_MAIL_RETRY_LIMIT must be at least 1")

    @classmethod
    def from_config(cls, config: Any) -> MailConfig:
        return cls(
            host=config["SMTP_HOST"].strip(),
            port=config["SMTP_PORT"],
            security=config["SMTP_SECURITY"].strip().lower(),
            user=config["SMTP_USER"],
            password=config["SMTP_PASSWORD"],
            sender=config["MAIL_FROM"],
            brand=config["BRAND_NAME"],
            timeout=config["SMTP_TIMEOUT"],
            ca_file=config["SMTP_CA_FILE"],
            env=config["PORTAL_ENV"],
            retry_limit=config["MAIL_RETRY_LIMIT"],
            retry_seconds=config["MAIL_RETRY_SECONDS"],
            retry_max_seconds=config["MAIL_RETRY_MAX_SECONDS"],
            poll_seconds=config["MAIL_POLL_SECONDS"],
        )

    @property
    def local_mailbox(self) -> bool:
        """No SMTP host in development: mail goes to the local mailbox (/dev/mail)."""
        return not self.host and self.env == "development"

    @property
    def lease(self) -> timedelta:
        # Longer than the slowest delivery of one message (each SMTP step may take
        # ``timeout`` seconds), so a working sender never loses its claim.
        return timedelta(seconds=max(600, self.timeout * 12))

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt (1, 2, ...)."""
        seconds = self.retry_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.retry_max_seconds))


# --- building the message ------------------------------------------------------------------

def build_message(email: OutgoingEmail | Any, config: MailConfig,
                  now: datetime | None = None) -> EmailMessage:
    """The MIME message of a queued email: text and HTML alternatives, UTF-8."""
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = formataddr((config.brand, config.sender)) if config.brand else config.sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now or utcnow())
    message["Message-ID"] = email.message_id
    message["Auto-Submitted"] = "auto-generated"
    # Base64 keeps every line short and 7-bit (servers without 8BITMIME) and never splits
    # a long link across lines the way quoted-printable does.
    message.set_content(email.text_body, subtype="plain", charset="utf-8", cte="base64")
    message.add_alternative(email.html_body, subtype="html", charset="utf-8", cte="base64")
    return message


# --- SMTP --------------------------------------------------------------------------------

class ConnectionProblem(Exception):
    """The server could not be reached or would not accept us: stop this run."""


class PermanentRefusal(Exception):
    """The server refused this message for good (5xx): retrying will not help."""


def tls_context(config: MailConfig) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if config.ca_file:
        context.load_verify_locations(cafile=config.ca_file)
    return context


class SmtpTransport:
    """One SMTP connection, opened on first use and reused for the rest of a run."""

    def __init__(self, config: MailConfig) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def connect(self) -> smtplib.SMTP:
        config = self.config
        try:
            if config.security == "tls":
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    config.host, config.port, timeout=config.timeout,
                    context=tls_context(config),
                )
            else:
                connection = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            try:
                connection.ehlo()
                if config.security == "starttls":
                    connection.starttls(context=tls_context(config))
                    connection.ehlo()
                if config.user:
                    connection.login(config.user, config.password)
            except BaseException:
                connection.close()
                raise
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectionProblem(describe(exc)) from exc
        return connection

    def send(self, message: EmailMessage) -> None:
        if self.connection is None:
            self.connection = self.connect()
        try:
            self.connection.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
            if _permanent(exc):
                raise PermanentRefusal(describe(exc)) from exc
            raise
        except smtplib.SMTPSenderRefused as exc:
            # Our sender address or our session (TLS, AUTH) is refused: a setting to fix,
            # the same for every email. Stop the run and try again later.
            self.close()
            raise ConnectionProblem(describe(exc)) from exc
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self.close()
            raise ConnectionProblem(describe(exc)) from exc

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None


class LocalTransport:
    """Development without SMTP: the outbox row itself is the local mailbox."""

    def send(self, message: EmailMessage) -> None:
        return None

    def close(self) -> None:
        return None


# 5xx answers that are about our session (authentication or TLS required), not the message.
SESSION_CODES = {530, 534, 535, 538}


def _permanent(exc: smtplib.SMTPException) -> bool:
    """A 5xx refusal of this message's recipient or content: no point in trying again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
    else:
        codes = [getattr(exc, "smtp_code", 0)]
    return all(500 <= code < 600 and code not in SESSION_CODES for code in codes)


def describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{address}: {code} {_text(msg)}" for address, (code, msg) in
                 exc.recipients.items()]
        return "recipient refused: " + "; ".join(parts)
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__}: {exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"[:1000]


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# --- claiming and recording -----------------------------------------------------------------

@dataclass
class Claim:
    email_id: int
    token: str
    attempt: int


def _due(now: datetime):
    return or_(
        and_(OutgoingEmail.status == QUEUED, OutgoingEmail.next_attempt_at <= now),
        and_(OutgoingEmail.status == SENDING, OutgoingEmail.lease_until < now),
    )


def claim_next(session: Session, config: MailConfig, now: datetime) -> Claim | None:
    """Claim the next due email for this sender, in a transaction of its own."""
    postgres = session.get_bind().dialect.name == "postgresql"
    with immediate(session):
        query = (
            select(OutgoingEmail.id, OutgoingEmail.status, OutgoingEmail.attempts)
            .where(_due(now))
            .order_by(OutgoingEmail.next_attempt_at, OutgoingEmail.id)
            .limit(1)
        )
        if postgres:
            query = query.with_for_update(skip_locked=True)
        row = session.execute(query).first()
        if row is None:
            session.commit()
            return None
        token = secrets.token_hex(16)
        result = session.execute(
            update(OutgoingEmail)
            .where(OutgoingEmail.id == row.id, OutgoingEmail.status == row.status,
                   OutgoingEmail.attempts == row.attempts)
            .values(status=SENDING, claim_token=token, lease_until=now + config.lease,
                    attempts=row.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    if result.rowcount != 1:  # another sender was quicker
        return None
    return Claim(row.id, token, row.attempts + 1)


def _finish(session: Session, claim: Claim, **values: Any) -> bool:
    result = session.execute(
        update(OutgoingEmail)
        .where(OutgoingEmail.id == claim.email_id, OutgoingEmail.claim_token == claim.token)
        .values(claim_token=None, lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount != 1:
        log.warning("mail %s: the claim was lost before the result was recorded",
                    claim.email_id)
    return result.rowcount == 1


@dataclass
class Report:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: bool = False  # no SMTP host: nothing was attempted
    problems: list[str] = field(default_factory=list)

    @property
    def worked(self) -> bool:
        return bool(self.sent or self.retrying or self.failed)

    def __str__(self) -> str:
        if self.waiting:
            return "mail: no SMTP host configured (PORTAL_SMTP_HOST); queued mail waits"
        text = f"mail: {self.sent} sent, {self.retrying} to retry, {self.failed} failed"
        if self.problems:
            text += " (" + "; ".join(self.problems) + ")"
        return text


def send_due(session: Session, config: MailConfig, *, now: datetime | None = None,
             limit: int = 100, transport: Any = None) -> Report:
    """Deliver the emails that are due, one claim at a time, at most ``limit`` of them.

    ``session`` must not be inside a transaction: each claim and each result is a short
    transaction of its own, and nothing is locked while the SMTP server is talking.
    """
    report = Report()
    if transport is None:
        if config.local_mailbox:
            transport = LocalTransport()
        elif not config.host:
            report.waiting = True
            return report
        else:
            transport = SmtpTransport(config)
    via = VIA_LOCAL if isinstance(transport, LocalTransport) else VIA_SMTP
    try:
        for _ in range(limit):
            moment = now or utcnow()
            claim = claim_next(session, config, moment)
            if claim is None:
                break
            email = session.get(OutgoingEmail, claim.email_id, populate_existing=True)
            session.commit()
            assert email is not None
            try:
                transport.send(build_message(email, config, moment))
            except ConnectionProblem as exc:
                _failed_attempt(session, config, claim, str(exc), moment, report)
                report.problems.append(str(exc))
                break  # the server is not there: the rest waits for the next run
            except PermanentRefusal as exc:
                _finish(session, claim, status=FAILED, last_error=str(exc))
                report.failed += 1
            except smtplib.SMTPException as exc:
                _failed_attempt(session, config, claim, describe(exc), moment, report)
            except Exception as exc:  # a message that cannot be built or sent is a bug
                log.exception("mail %s: cannot be delivered", claim.email_id)
                _finish(session, claim, status=FAILED, last_error=describe(exc))
                report.failed += 1
            else:
                if _finish(session, claim, status=SENT, sent_at=now or utcnow(),
                           last_error=None, delivered_via=via):
                    report.sent += 1
    finally:
        transport.close()
    return report


def _failed_attempt(session: Session, config: MailConfig, claim: Claim, error: str,
                    now: datetime, report: Report) -> None:
    if claim.attempt >= config.retry_limit:
        _finish(session, claim, status=FAILED, last_error=error)
        report.failed += 1
    else:
        _finish(session, claim, status=QUEUED, last_error=error,
                next_attempt_at=now + config.backoff(claim.attempt))
        report.retrying += 1


# --- the loop -------------------------------------------------------------------------------

def run_loop(app, stop: threading.Event | None = None) -> None:
    """Send due mail every ``MAIL_POLL_SECONDS`` until ``stop`` is set."""
    from portal.extensions import db

    stop = stop or threading.Event()
    config = MailConfig.from_config(app.config)
    if config.local_mailbox:
        log.warning("mail: no SMTP host; development mail goes to %s/dev/mail",
                    app.config["BASE_URL"])
    elif not config.host:
        log.warning("mail: no SMTP host configured (PORTAL_SMTP_HOST); mail stays queued")
    while not stop.is_set():
        worked = False
        try:
            with app.app_context():
                report = send_due(db.session, config)
                worked = report.worked and not report.problems
                if report.worked or report.problems:
                    log.info("%s", report)
        except Exception:  # a database hiccup must not end the loop
            log.exception("mail: the sender run failed")
        if not worked:
            stop.wait(config.poll_seconds)


def run_forever() -> None:
    """Entry point of the background process started by ``portal.serve``."""
    from portal import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    app = create_app()
    run_loop(app, stop)


__all__ = [
    "MailConfig", "Report", "SmtpTransport", "build_message", "claim_next", "run_forever",
    "run_loop", "send_due", "SENT",
]
