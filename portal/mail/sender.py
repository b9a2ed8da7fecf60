"""The mail sender: claims due emails from the outbox, delivers them and records the result.

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

The settings are ``config.py``; building the message and talking to the server,
``transport.py``.
"""

from __future__ import annotations

import logging
import secrets
import signal
import smtplib
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from portal.db import immediate, utcnow
from portal.mail.config import MailConfig
from portal.mail.models import FAILED, QUEUED, SENDING, SENT, VIA_LOCAL, VIA_SMTP, OutgoingEmail
from portal.mail.transport import (
    ConnectionProblem,
    LocalTransport,
    PermanentRefusal,
    SmtpTransport,
    build_message,
    describe,
)

log = logging.getLogger(__name__)


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


__all__ = ["Claim", "Report", "claim_next", "run_forever", "run_loop", "send_due"]
