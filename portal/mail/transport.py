"""How one queued email reaches the server: its MIME message, the SMTP transport (one
connection a run, TLS or STARTTLS as configured) and the local one for development, and
what an SMTP error means: try again later, refused for good (:class:`PermanentRefusal`),
or stop the run (:class:`ConnectionProblem`).

Knows nothing of the outbox's states or of claims (``sender.py``).

May import: ``portal.db`` and ``portal.mail``'s own ``config`` and ``models``.
"""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr
from typing import Any

from portal.db import utcnow
from portal.mail.config import MailConfig
from portal.mail.models import OutgoingEmail

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
