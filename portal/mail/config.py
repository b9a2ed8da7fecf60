"""The mail settings the sender and the transports need, read once from the app's config
(``PORTAL_SMTP_*``, ``PORTAL_MAIL_*``; README, "Settings") and checked: no Flask needed to
send.

The lease of a claim and the wait between attempts are worked out here.

May import: nothing of the portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

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
