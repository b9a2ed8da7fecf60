"""Background workers started by ``portal.serve`` beside the web server.

A feature that needs a loop (for example the mail sender) appends a function here; each
runs in its own process and stops with the server.
"""

from __future__ import annotations

from collections.abc import Callable

BACKGROUND: list[Callable[[], None]] = []

from portal.accounts.housekeeping import loop as accounts_housekeeping  # noqa: E402

BACKGROUND.append(accounts_housekeeping)

# The mail sender (portal/mail/sender.py): delivers the outbox every PORTAL_MAIL_POLL_SECONDS.
from portal.mail.sender import run_forever as mail_sender  # noqa: E402

BACKGROUND.append(mail_sender)
