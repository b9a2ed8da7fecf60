"""Every setting of the portal, read from ``PORTAL_*`` environment variables.

Each setting is declared once in ``SETTINGS`` with its type, default and a line of
documentation; ``python -m portal.settings`` prints the table the README shows.
"""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


@dataclass(frozen=True)
class Setting:
    env: str
    key: str
    kind: type
    default: Any
    doc: str


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


SETTINGS: list[Setting] = [
    Setting("PORTAL_ENV", "PORTAL_ENV", str, "production",
            "`production`, `development` or `test`. Development relaxes the Secure cookie flag "
            "and enables the local mail viewer."),
    Setting("PORTAL_SECRET_KEY", "SECRET_KEY", str, None,
            "Signs sessions and CSRF tokens. When unset, a random key is generated once and kept "
            "in `PORTAL_INSTANCE_DIR/secret_key`, which every worker on one host shares. Set it "
            "explicitly when the portal runs on several hosts."),
    Setting("PORTAL_INSTANCE_DIR", "INSTANCE_DIR", str, str(DEFAULT_INSTANCE),
            "Folder for the SQLite database, the generated secret key and uploads."),
    Setting("PORTAL_DATABASE_URL", "DATABASE_URL", str, None,
            "SQLAlchemy URL. Default: SQLite file `portal.db` in the instance folder. PostgreSQL: "
            "`postgresql+psycopg://user@host:5432/name`."),
    Setting("PORTAL_BRAND_NAME", "BRAND_NAME", str, "WorkPortal",
            "Product name shown in the header, titles and emails."),
    Setting("PORTAL_DEFAULT_LOCALE", "BABEL_DEFAULT_LOCALE", str, "ja",
            "Language used when neither the address, the cookie, the user nor the browser "
            "chooses one."),
    Setting("PORTAL_TIMEZONE", "BABEL_DEFAULT_TIMEZONE", str, "Asia/Tokyo",
            "Time zone in which dates and times are shown."),
    Setting("PORTAL_SESSION_COOKIE_SECURE", "SESSION_COOKIE_SECURE", bool, None,
            "Send the session cookie over HTTPS only. Default: on, except in development "
            "and test."),
    Setting("PORTAL_BASE_URL", "BASE_URL", str, "http://127.0.0.1:5000",
            "Public address of the portal, used for links in emails."),
    Setting("PORTAL_SUPPORT_PHONE", "SUPPORT_PHONE", str, "0120-000-000",
            "Phone number on the contact page."),
    Setting("PORTAL_SUPPORT_EMAIL", "SUPPORT_EMAIL", str, "support@portal.invalid",
            "Email address on the contact page."),
    Setting("PORTAL_FORM_TIME_LIMIT", "FORM_TIME_LIMIT", int, 1200,
            "Seconds an application form may stay open before its entries are discarded."),
    Setting("PORTAL_FORM_WARNING", "FORM_WARNING", int, 300,
            "Seconds before the deadline at which the warning dialog opens."),
    Setting("PORTAL_FORM_MAX_EXTENSIONS", "FORM_MAX_EXTENSIONS", int, 10,
            "How many times a person may extend the time limit of one application."),
    Setting("PORTAL_MAX_UPLOAD_BYTES", "MAX_UPLOAD_BYTES", int, 5 * 1024 * 1024,
            "Largest supporting document accepted, in bytes."),
    Setting("PORTAL_UPLOAD_DIR", "UPLOAD_DIR", str, "",
            "Folder for supporting documents uploaded with applications (outside the static "
            "folder, never served directly). Empty: `uploads/` in the instance folder."),
    Setting("PORTAL_TRAINING_EMAIL", "TRAINING_EMAIL", str, "training@portal.invalid",
            "Where applicants write to book the free training session offered on the "
            "confirmation page."),
    Setting("PORTAL_LOCKOUT_THRESHOLD", "LOCKOUT_THRESHOLD", int, 3,
            "Consecutive wrong passwords after which an account locks."),
    Setting("PORTAL_REGISTRATION_LINK_HOURS", "REGISTRATION_LINK_HOURS", int, 168,
            "Hours a first-login registration link stays valid."),
    Setting("PORTAL_REGISTRATION_MAX_ATTEMPTS", "REGISTRATION_MAX_ATTEMPTS", int, 5,
            "Failed identity checks on one registration link before the link locks for "
            "`PORTAL_REGISTRATION_LOCK_MINUTES`."),
    Setting("PORTAL_REGISTRATION_LOCK_MINUTES", "REGISTRATION_LOCK_MINUTES", int, 30,
            "Minutes a registration link stays locked after too many failed identity checks."),
    Setting("PORTAL_ADDRESS_MAX_FAILURES", "ADDRESS_MAX_FAILURES", int, 20,
            "Failed sign-ins, identity checks and secret answers accepted from one client "
            "address within `PORTAL_ATTEMPT_WINDOW_MINUTES`; further attempts are refused "
            "until the window has passed."),
    Setting("PORTAL_ATTEMPT_WINDOW_MINUTES", "ATTEMPT_WINDOW_MINUTES", int, 30,
            "Length of the window in which failed attempts are counted."),
    Setting("PORTAL_RESET_MAX_ATTEMPTS", "RESET_MAX_ATTEMPTS", int, 5,
            "Wrong secret answers for one user ID within `PORTAL_ATTEMPT_WINDOW_MINUTES` before "
            "password reset for that user ID pauses."),
    Setting("PORTAL_USER_ID_CHECKS_PER_MINUTE", "USER_ID_CHECKS_PER_MINUTE", int, 30,
            "User ID availability checks one client address may make per minute while typing "
            "(the ID is always checked again on submit)."),
    Setting("PORTAL_SESSION_IDLE_MINUTES", "SESSION_IDLE_MINUTES", int, 30,
            "Minutes without a request after which a signed-in session ends."),
    Setting("PORTAL_SESSION_MAX_HOURS", "SESSION_MAX_HOURS", int, 12,
            "Hours after sign-in at which a session ends even when in use."),
    Setting("PORTAL_PROXY_COUNT", "PROXY_COUNT", int, 0,
            "Reverse proxies in front of the portal that add `X-Forwarded-For` and "
            "`X-Forwarded-Proto`. The per-address limits (sign-in, registration, tracking) then "
            "count the client's address instead of the proxy's. 0: the headers are ignored, as "
            "they must be when clients reach the portal directly."),
    Setting("PORTAL_SMTP_HOST", "SMTP_HOST", str, "",
            "SMTP server for outgoing mail. Empty: mail stays queued (development shows it on "
            "a local page)."),
    Setting("PORTAL_SMTP_PORT", "SMTP_PORT", int, 25, "SMTP port."),
    Setting("PORTAL_SMTP_SECURITY", "SMTP_SECURITY", str, "none",
            "`none`, `starttls` or `tls`."),
    Setting("PORTAL_SMTP_USER", "SMTP_USER", str, "", "SMTP user name, if the server needs one."),
    Setting("PORTAL_SMTP_PASSWORD", "SMTP_PASSWORD", str, "", "SMTP password."),
    Setting("PORTAL_MAIL_FROM", "MAIL_FROM", str, "no-reply@portal.invalid",
            "Sender address of outgoing mail."),
    Setting("PORTAL_SMTP_TIMEOUT", "SMTP_TIMEOUT", int, 30,
            "Seconds to wait for the SMTP server at each step before the attempt counts as "
            "failed."),
    Setting("PORTAL_SMTP_CA_FILE", "SMTP_CA_FILE", str, "",
            "PEM file of extra certificate authorities to trust for `starttls`/`tls` (a mail "
            "server with a private certificate). Empty: the system's authorities."),
    Setting("PORTAL_MAIL_POLL_SECONDS", "MAIL_POLL_SECONDS", int, 5,
            "How often the mail sender looks for queued mail."),
    Setting("PORTAL_MAIL_RETRY_LIMIT", "MAIL_RETRY_LIMIT", int, 12,
            "Delivery attempts before an email is marked failed (staff can retry it from the "
            "back office)."),
    Setting("PORTAL_MAIL_RETRY_SECONDS", "MAIL_RETRY_SECONDS", int, 60,
            "Wait after the first failed attempt; it doubles after each further failure."),
    Setting("PORTAL_MAIL_RETRY_MAX_SECONDS", "MAIL_RETRY_MAX_SECONDS", int, 6 * 3600,
            "Longest wait between two delivery attempts."),
    Setting("PORTAL_STAFF_LOCKOUT_THRESHOLD", "STAFF_LOCKOUT_THRESHOLD", int, 5,
            "Consecutive failed back-office sign-ins after which the staff account is paused."),
    Setting("PORTAL_STAFF_LOCKOUT_MINUTES", "STAFF_LOCKOUT_MINUTES", int, 15,
            "Minutes a paused staff account cannot sign in."),
    Setting("PORTAL_STAFF_SESSION_HOURS", "STAFF_SESSION_HOURS", int, 10,
            "Hours a back-office sign-in lasts at most."),
    Setting("PORTAL_TRACKING_MAX_LOOKUPS", "TRACKING_MAX_LOOKUPS", int, 10,
            "Application lookups (reference number and email) one client address may make "
            "within `PORTAL_TRACKING_WINDOW_MINUTES`; further lookups wait for the next window."),
    Setting("PORTAL_TRACKING_WINDOW_MINUTES", "TRACKING_WINDOW_MINUTES", int, 10,
            "Length of the window in which application lookups are counted."),
    Setting("PORTAL_STAFF_IDLE_MINUTES", "STAFF_IDLE_MINUTES", int, 60,
            "Minutes without activity after which a back-office sign-in ends."),
    Setting("PORTAL_SEARCH_CACHE_SIZE", "SEARCH_CACHE_SIZE", int, 512,
            "Search answers (catalog and resource center) each worker keeps in memory, and as "
            "many rendered result pages (about 25 KB each); both empty themselves when the "
            "index is rebuilt. 0 turns them off."),
    Setting("PORTAL_SEARCH_PAGE_SIZE", "SEARCH_PAGE_SIZE", int, 20,
            "Results per page in the rewards catalog and the resource center search."),
    Setting("PORTAL_RESOURCE_VIDEO_URL", "RESOURCE_VIDEO_URL", str, "",
            "Address (ending in `/`) from which resource-center videos are played, for example "
            "`/static/videos/`. Empty: videos show their description and transcript only."),
    Setting("PORTAL_CORPORATE_TAX_YEN_PER_POINT", "CORPORATE_TAX_YEN_PER_POINT", int, 200,
            "Corporate rewards: yen of corporate tax paid by card per point earned (other "
            "earning rules are in `catalog_data/rewards_program.yaml`)."),
    Setting("PORTAL_REWARDS_PAGE_SIZE", "REWARDS_PAGE_SIZE", int, 50,
            "Corporate rewards: entries per page of the points history."),
    Setting("PORTAL_REVOLVING_FEE_BASIS_POINTS", "REVOLVING_FEE_BASIS_POINTS", int, 1500,
            "Cardmember revolving payment (OS-6): the annual fee rate in hundredths of a "
            "percent (`1500` = 15.00 % a year; 0 to 2000). Each month's fee is "
            "floor(remaining principal × rate ÷ 12) yen. Which charges qualify and the monthly "
            "amounts allowed are in `catalog_data/revolving.yaml`."),
]


def load_secret_key(instance_dir: Path) -> str:
    """Return the instance's persistent secret key, creating it on first use."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        key = secrets.token_urlsafe(48)
        handle.write(key)
    return key


def load_settings(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Read every setting from ``environ`` (default: the process environment)."""
    environ = os.environ if environ is None else environ
    config: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None or raw == "" and setting.kind is not str:
            value = setting.default
        elif setting.kind is bool:
            value = _bool(raw)
        elif setting.kind is int:
            try:
                value = int(raw)
            except ValueError as exc:
                raise ValueError(f"{setting.env} must be a whole number, got {raw!r}") from exc
        else:
            value = raw
        config[setting.key] = value

    env = config["PORTAL_ENV"]
    if env not in {"production", "development", "test"}:
        raise ValueError(f"PORTAL_ENV must be production, development or test, got {env!r}")
    if not 0 <= config["REVOLVING_FEE_BASIS_POINTS"] <= 2000:
        raise ValueError("PORTAL_REVOLVING_FEE_BASIS_POINTS must be 0 to 2000 (0 to 20.00 %), "
                         f"got {config['REVOLVING_FEE_BASIS_POINTS']}")
    instance = Path(config["INSTANCE_DIR"])
    config["INSTANCE_DIR"] = str(instance)
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{instance / 'portal.db'}"
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = load_secret_key(instance)
    if config["SESSION_COOKIE_SECURE"] is None:
        config["SESSION_COOKIE_SECURE"] = env == "production"
    config["TESTING"] = env == "test"
    return config


def markdown_table() -> str:
    rows = ["| variable | default | what it does |", "|---|---|---|"]
    for setting in SETTINGS:
        default = "" if setting.default is None else f"`{setting.default}`"
        if setting.env == "PORTAL_INSTANCE_DIR":
            default = "`instance/` in the project"
        rows.append(f"| `{setting.env}` | {default} | {setting.doc} |")
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(markdown_table() + "\n")
