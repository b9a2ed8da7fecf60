"""Localized error pages. Nothing reaches a person as a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.templating import is_htmx

log = logging.getLogger(__name__)


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("The request could not be understood"),
              _("Please go back, check what you entered and try again.")),
        403: (_("You cannot open this page"),
              _("This page needs a different permission. Sign in with the right account.")),
        404: (_("Page not found"),
              _("The address may be mistyped, or the page may have moved.")),
        405: (_("This action is not available here"),
              _("Please use the buttons on the page instead of typing the address.")),
        413: (_("The file is too large"),
              _("Please choose a smaller file and try again.")),
        429: (_("Too many attempts"),
              _("Please wait a few minutes before trying again.")),
        500: (_("Something went wrong on our side"),
              _("Nothing you did caused this. Please try again in a moment.")),
    }


def render_error(status: int, title: str | None = None, message: str | None = None):
    default_title, default_message = _titles().get(status, _titles()[500])
    template = "errors/_error.html" if is_htmx() else "errors/error.html"
    body = render_template(
        template,
        status=status,
        title=title or default_title,
        message=message or default_message,
    )
    return body, status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return render_error(
            400,
            _("Your session has expired"),
            _("For your security the page has to be reloaded. Please reload it and try again."),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http(error)
        log.exception("unhandled error", exc_info=error)
        return render_error(InternalServerError.code)
