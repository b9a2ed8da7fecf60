"""The signed-in user of a request: ``g.user``, signing in and out, ``login_required``.

The browser's (signed) session cookie carries only a random session token under ``sid``;
the server keeps the record (:class:`portal.accounts.models.AuthSession`). Every request
with a token looks the record up, so signing out, an idle timeout, a lock or a disabled
account end the session everywhere at once.

Other features protect a view with::

    from portal.accounts.current import login_required

    @bp.get("/rewards/")
    @login_required
    def home(): ...  # g.user is the signed-in User
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import g, redirect, request, session, url_for

from portal.accounts import services
from portal.accounts.models import User
from portal.extensions import db

SESSION_KEY = "sid"


def client_address() -> str:
    return request.remote_addr or ""


def load_user() -> None:
    """``before_app_request``: set ``g.user`` and ``g.user_language`` from the session."""
    g.user = None
    if request.endpoint in ("static", "shell.healthz"):
        return
    token = session.get(SESSION_KEY)
    if not token:
        return
    user = services.session_user(db.session, token)
    if user is None:
        session.pop(SESSION_KEY, None)
        return
    g.user = user
    g.user_language = user.language


def sign_in(user: User) -> None:
    """A new session: everything the anonymous session held is dropped (no fixation)."""
    old = session.get(SESSION_KEY)
    if old:
        services.end_session(db.session, old)
    session.clear()
    session[SESSION_KEY] = services.start_session(
        db.session,
        user,
        address=client_address(),
        user_agent=request.headers.get("User-Agent", ""),
    )
    g.user = user
    g.user_language = user.language


def sign_out() -> None:
    token = session.get(SESSION_KEY)
    if token:
        services.end_session(db.session, token)
    session.clear()
    g.user = None


def safe_next(target: str | None) -> str | None:
    """Only a path on this site (never another host) may be a place to return to."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target):
        return None  # browsers drop tabs and newlines: "/\t/evil.example" is "//evil.example"
    return target


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper
