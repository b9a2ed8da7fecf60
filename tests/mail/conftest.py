"""A real SMTP server (aiosmtpd) on a free port, and helpers for the outbox tests."""

from __future__ import annotations

import asyncio
import email
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller

from portal.mail.config import MailConfig


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class Recorder:
    """Keeps every message the server accepts; can refuse recipients or be slow."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse_rcpt: str | None = None  # e.g. "550 5.1.1 no such user"
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [item.message["Message-ID"] for item in self.received]


@dataclass
class SmtpServer:
    """A real SMTP server that can be stopped and started again on the same port."""

    port: int
    recorder: Recorder = field(default_factory=Recorder)
    options: dict = field(default_factory=dict)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port,
                                     **self.options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        return self.recorder.received

    def config(self, **overrides) -> MailConfig:
        values = dict(host="127.0.0.1", port=self.port, sender="portal@example.test",
                      brand="WorkPortal", env="test", timeout=5)
        values.update(overrides)
        return MailConfig(**values)


@pytest.fixture(autouse=True)
def app_context(app, db_session):
    """Every outbox test runs in an application context (templates, catalogs, settings);
    the session's work stays visible until the test ends."""
    with app.app_context():
        yield


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> SimpleNamespace:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    folder: Path = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(str(cert), str(key))
    return SimpleNamespace(cert=str(cert), key=str(key), server_context=server_context)


def new_user(**overrides) -> SimpleNamespace:
    values = dict(email="hanako.sato@example.test", family_name="佐藤", given_name="花子",
                  language="ja", contact_id="482913657")
    values.update(overrides)
    return SimpleNamespace(**values)
