"""What the browser's session holds of the wizard, and the form timer.

The Flask session keeps the opaque id of the draft this browser is filling in for each kind
and the references of the applications it submitted (only those may open their confirmation
page and PDF). The timer is the ENR-1 time limit of a draft as a page shows it; the limits
come from the settings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, url_for

from portal.db import utcnow
from portal.enrollment import drafts
from portal.enrollment.engine import Kind
from portal.enrollment.models import Draft

SESSION_KEY = "enrollment_drafts"
DONE_KEY = "enrollment_done"


def limits() -> drafts.Limits:
    return drafts.Limits.from_config(current_app.config)


def session_draft_id(browser_session, kind: Kind) -> str | None:
    return (browser_session.get(SESSION_KEY) or {}).get(kind.name)


def remember_draft(browser_session, kind: Kind, draft_id: str | None) -> None:
    mapping = dict(browser_session.get(SESSION_KEY) or {})
    if draft_id:
        mapping[kind.name] = draft_id
    else:
        mapping.pop(kind.name, None)
    browser_session[SESSION_KEY] = mapping


def remember_done(browser_session, reference: str) -> None:
    done = [r for r in browser_session.get(DONE_KEY, []) if r != reference]
    browser_session[DONE_KEY] = (done + [reference])[-10:]


def may_see(browser_session, reference: str) -> bool:
    return reference in (browser_session.get(DONE_KEY) or [])


# --- the timer ------------------------------------------------------------------------------

def timer(kind: Kind, draft: Draft, *, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    lim = limits()
    return {
        "deadline": draft.deadline,
        "deadline_ms": int(draft.deadline.timestamp() * 1000),
        "now_ms": int(now.timestamp() * 1000),
        "remaining": drafts.remaining_seconds(draft, now=now),
        "warning": lim.warning,
        "can_extend": drafts.can_extend(draft, lim),
        "extensions_left": max(0, lim.max_extensions - draft.extensions),
        "extend_url": url_for("enrollment.extend", kind=kind.name),
        "discard_url": url_for("enrollment.discard", kind=kind.name),
        "expired_url": url_for("enrollment.expired", kind=kind.name),
    }


def timer_oob(draft: Draft, *, now: datetime | None = None) -> str:
    """The server's deadline, out of band (``#form-timer-sync`` of ``_timer.html``): it
    ends every htmx answer of the wizard, so it is made without a template."""
    now = now or utcnow()
    return (
        f'<b id="form-timer-sync" hidden data-deadline="{int(draft.deadline.timestamp() * 1000)}"'
        f' data-now="{int(now.timestamp() * 1000)}" hx-swap-oob="true"></b>'
    )
