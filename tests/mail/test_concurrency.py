"""Several senders at once deliver each email exactly once (SQLite and PostgreSQL).

These tests commit for real through their own connections (not the rolled-back test
transaction), as separate sender processes would, and clean up afterwards.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from portal.extensions import db
from portal.mail.models import OutgoingEmail
from portal.mail.outbox import queue_email
from portal.mail.sender import send_due

COUNT = 24


@pytest.fixture
def committed_emails():
    """``COUNT`` emails committed to the database, removed after the test."""
    make = sessionmaker(bind=db.engine, expire_on_commit=False)
    with make() as session:
        ids = [
            queue_email(session, to=f"person{n}@example.test", subject=f"Email {n}",
                        text=f"text {n}", html=f"<p>{n}</p>", kind="test.concurrency").id
            for n in range(COUNT)
        ]
        session.commit()
    yield make, ids
    with make() as session:
        session.execute(delete(OutgoingEmail).where(OutgoingEmail.id.in_(ids)))
        session.commit()


@pytest.mark.parametrize("senders", [2, 4])
def test_simultaneous_senders_deliver_each_email_once(committed_emails, smtp_server, senders):
    make, ids = committed_emails
    smtp_server.recorder.delay = 0.005  # let the senders interleave
    config = smtp_server.config()
    start = threading.Barrier(senders)
    reports, errors = [], []

    def sender():
        try:
            with make() as session:
                start.wait()
                reports.append(send_due(session, config))
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(report.sent for report in reports) == COUNT
    with make() as session:
        rows = session.scalars(select(OutgoingEmail).where(OutgoingEmail.id.in_(ids))).all()
    received = smtp_server.recorder.message_ids()
    assert len(received) == COUNT
    assert sorted(received) == sorted(row.message_id for row in rows)  # none twice, none lost
    assert all(row.status == "sent" and row.attempts == 1 for row in rows)
    assert sorted(item.rcpt_tos[0] for item in smtp_server.received) == sorted(
        f"person{n}@example.test" for n in range(COUNT))


def test_two_send_mail_processes_at_once(committed_emails, smtp_server, app):
    """The ``send-mail`` command in two real processes against the same database."""
    import os
    import subprocess
    import sys

    make, ids = committed_emails
    smtp_server.recorder.delay = 0.005
    env = {**os.environ, "PORTAL_ENV": "test", "PORTAL_DATABASE_URL": app.config["DATABASE_URL"],
           "PORTAL_SMTP_HOST": "127.0.0.1", "PORTAL_SMTP_PORT": str(smtp_server.port),
           "PORTAL_INSTANCE_DIR": app.config["INSTANCE_DIR"]}
    command = [sys.executable, "-m", "flask", "--app", "portal", "send-mail"]
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=60) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    sent = [int(out.split("mail: ")[1].split(" sent")[0]) for out, _err in outputs]
    assert sum(sent) == COUNT
    received = smtp_server.recorder.message_ids()
    with make() as session:
        rows = session.scalars(select(OutgoingEmail).where(OutgoingEmail.id.in_(ids))).all()
    assert sorted(received) == sorted(row.message_id for row in rows)
