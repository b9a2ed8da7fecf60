"""Browser tests: Playwright drives Debian's Chromium against a live portal.

The portal runs under gunicorn in a child process, on a free port, with its own database
(migrated and seeded with the sample data). ``live_server`` is the shared server;
``start_server(**env)`` starts one with other settings (for example a short time limit).
When ``PORTAL_TEST_DATABASE_URL`` points at PostgreSQL, the servers use a sibling database
``<name>_e2e`` on the same server.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def e2e_database_url(instance: Path, name: str) -> str:
    base = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        return f"sqlite:///{instance / 'e2e.db'}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base)
    target = f"{url.database}_{name}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target}"'))
    admin.dispose()
    return url.set(database=target).render_as_string(hide_password=False)


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    process: subprocess.Popen
    log: Path
    instance: Path
    extra: dict = field(default_factory=dict)

    def flask(self, *args: str) -> subprocess.CompletedProcess:
        """Run a ``flask --app portal`` command against this server's database."""
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "portal", *args],
            cwd=PROJECT, env=self.env, capture_output=True, text=True, check=True,
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _start(tmp: Path, name: str, overrides: dict[str, str], workers: int = 1) -> LiveServer:
    instance = tmp / name
    instance.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_ENV="test",
        PORTAL_INSTANCE_DIR=str(instance),
        PORTAL_DATABASE_URL=e2e_database_url(instance, name),
        PORTAL_SECRET_KEY="e2e-secret",
        PORTAL_BASE_URL=f"http://127.0.0.1:{port}",
    )
    env.update(overrides)
    for command in (["migrate"], ["seed-sample"]):
        subprocess.run([sys.executable, "-m", "flask", "--app", "portal", *command],
                       cwd=PROJECT, env=env, check=True, capture_output=True)
    log = instance / "server.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
             "--threads", "8", "--timeout", "60", "portal.wsgi:app"],
            cwd=PROJECT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the portal did not start:\n{log.read_text()}")
        time.sleep(0.1)
    return LiveServer(url, env, process, log, instance)


@pytest.fixture(scope="session")
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., LiveServer]]:
    servers: list[LiveServer] = []

    def start(name: str = "main", workers: int = 1, **overrides: str) -> LiveServer:
        server = _start(tmp_path_factory.getbasetemp() / "servers", name, overrides, workers)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def live_server(start_server) -> LiveServer:
    return start_server("main")


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS,
            "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ja-JP", "viewport": {"width": 1280, "height": 900}}


@dataclass
class PageProblems:
    messages: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        # Failed loads are reported with their address by ``response`` below.
        if message.type in {"error", "warning"} and "Failed to load resource" not in message.text:
            self.messages.append(f"console {message.type}: {message.text}")

    def response(self, response) -> None:
        if response.status >= 400:
            self.messages.append(f"HTTP {response.status}: {response.request.method} {response.url}")


@pytest.fixture(autouse=True)
def no_console_errors(request: pytest.FixtureRequest) -> Iterator[PageProblems]:
    """Fail a browser test when the page logged an error (a CSP violation included) or a
    request failed. A test that expects an error status sets
    ``request.node.allow_console_errors = True``."""
    problems = PageProblems()
    if "page" not in request.fixturenames:
        yield problems
        return
    page: Page = request.getfixturevalue("page")
    page.on("console", problems.console)
    page.on("response", problems.response)
    page.on("pageerror", lambda error: problems.messages.append(f"page error: {error}"))
    yield problems
    if not getattr(request.node, "allow_console_errors", False):
        assert problems.messages == [], "\n".join(problems.messages)
