"""Back-office sign-in state for views: ``current_staff()`` and ``@staff_required``.

Staff sign in separately from portal users: their own cookie (``portal_staff``, sent only
to ``/backoffice``) holds a random token that names a server-side session row.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Response, current_app, g, redirect, request, url_for

from portal.backoffice import services
from portal.backoffice.models import Staff
from portal.extensions import db
from portal.templating import is_htmx

COOKIE = "portal_staff"  # the name over http; see portal.security.cookie_name
COOKIE_PATH = "/backoffice"


def cookie_name() -> str:
    """``__Secure-portal_staff`` when the cookie is Secure, else ``portal_staff``."""
    return current_app.config.get("STAFF_COOKIE_NAME", COOKIE)


def session_token() -> str | None:
    return request.cookies.get(cookie_name())

F = TypeVar("F", bound=Callable[..., Any])


def current_staff() -> Staff | None:
    """The signed-in staff member of this request, or ``None``."""
    if "staff" not in g:
        record, changed = services.load_session(
            db.session, session_token(),
            idle_minutes=current_app.config["STAFF_IDLE_MINUTES"],
        )
        if changed:
            db.session.commit()
        g.staff = record.staff if record is not None else None
    return g.staff


def safe_next(target: str | None) -> str | None:
    """A back-office address on this site to return to after sign-in, else ``None``."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(COOKIE_PATH + "/"):
        return None
    if "\\" in target or target.startswith("//"):
        return None
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target):
        return None  # browsers drop tabs and newlines inside an address
    return target


def staff_required(view: F) -> F:
    """Only signed-in staff get through; others go to the back-office sign-in page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if current_staff() is None:
            back = request.full_path.rstrip("?") if request.method == "GET" else None
            login_url = url_for("backoffice.login", next=safe_next(back))
            if is_htmx():
                response = Response(status=204)
                response.headers["HX-Redirect"] = login_url
                return response
            return redirect(login_url)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def set_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        cookie_name(), token,
        max_age=current_app.config["STAFF_SESSION_HOURS"] * 3600,
        path=COOKIE_PATH, httponly=True, samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def clear_cookie(response: Response) -> None:
    response.delete_cookie(cookie_name(), path=COOKIE_PATH, httponly=True, samesite="Lax",
                           secure=current_app.config["SESSION_COOKIE_SECURE"])
