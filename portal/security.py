"""Security headers (a nonce-based Content-Security-Policy and friends) and cookie names.

Every response carries CSP (``frame-ancestors 'none'``), X-Content-Type-Options,
Referrer-Policy, Permissions-Policy and X-Frame-Options; outside development it also
carries Strict-Transport-Security.

Cookie names get a browser-enforced prefix whenever the cookie is Secure (production by
default; ``PORTAL_SESSION_COOKIE_SECURE``): ``__Host-`` for the cookies on path ``/`` (the
session and the language choice), ``__Secure-`` for the staff cookie, which is scoped to
``/backoffice`` and so cannot take ``__Host-``. Browsers refuse a prefixed cookie sent
without Secure, so over plain http (development, tests, the e2e servers) the names stay
unprefixed.
"""

from __future__ import annotations

import secrets

from flask import Flask, g
from werkzeug.routing import IntegerConverter

CSP = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "media-src 'self'; "
    "connect-src 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'; "
    "base-uri 'none'; "
    "object-src 'none'"
)


HSTS = "max-age=31536000; includeSubDomains"
PERMISSIONS = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
               "interest-cohort=()")


def cookie_name(base: str, *, secure: bool, path: str = "/") -> str:
    """``base`` with the strongest prefix a cookie on ``path`` may carry."""
    if not secure:
        return base
    return f"__Host-{base}" if path == "/" else f"__Secure-{base}"


def configure_cookies(app: Flask) -> None:
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
    if app.config.get("SESSION_COOKIE_PATH") not in (None, "/") or \
            app.config.get("SESSION_COOKIE_DOMAIN"):
        path = "other"  # __Host- needs Path=/ and no Domain
    else:
        path = "/"
    app.config["SESSION_COOKIE_NAME"] = cookie_name("portal_session", secure=secure, path=path)
    app.config["LANGUAGE_COOKIE_NAME"] = cookie_name("portal_lang", secure=secure)
    app.config["STAFF_COOKIE_NAME"] = cookie_name("portal_staff", secure=secure,
                                                  path="/backoffice")


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a whole number no larger than a database integer
    column holds (PostgreSQL ``integer``). A larger one is a 404, not an overflow in the
    database driver (a 500, found by the fuzz suite)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    configure_cookies(app)
    app.url_map.converters["int"] = IdConverter  # before the blueprints add their routes

    @app.before_request
    def _refuse_nul():
        """A NUL character is never real input, and PostgreSQL text refuses it (a 500 in the
        database driver, found by the fuzz suite): a clear 400 page instead."""
        from flask import abort, request

        values = [*request.args.items(multi=True)]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            values += [*request.form.items(multi=True)]
        if any("\x00" in key or "\x00" in value for key, value in values):
            abort(400)
    hsts = app.config.get("PORTAL_ENV") != "development"

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP.format(nonce=csp_nonce()))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", PERMISSIONS)
        if hsts:
            headers.setdefault("Strict-Transport-Security", HSTS)
        if response.mimetype == "text/html":
            headers.setdefault("Cache-Control", "no-store")
        headers.add("Vary", "HX-Request")
        return response
