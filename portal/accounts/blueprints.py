"""The two account blueprints and what their pages share.

``auth`` (sign-in, sign-out, forgotten password; routes in :mod:`portal.accounts.views`) and
``registration`` (first login; routes in :mod:`portal.accounts.registration_views`) are made
here, so neither view module imports the other. Also here: loading the signed-in user for
every request, and the messages both use about waiting after too many attempts.

Forms post with htmx and fall back to plain posts: a correction comes back as 422 with the
form block of the same template, success sends the browser on (``HX-Redirect`` or a 303).
"""

from __future__ import annotations

import math
from datetime import timedelta

from flask import (
    Blueprint,
    make_response,
    redirect,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.accounts import current
from portal.i18n import current_language
from portal.templating import is_htmx

auth = Blueprint("auth", __name__, template_folder="templates", cli_group=None)
registration = Blueprint("registration", __name__, template_folder="templates")


@auth.before_app_request
def _load_user():
    current.load_user()


def go(url: str):
    """Send the browser on after a successful post (htmx or plain)."""
    if is_htmx():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def wait_minutes(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))


def wait_message(wait: timedelta) -> str:
    minutes = wait_minutes(wait)
    return ngettext(
        "Please wait %(num)d minute and try again.",
        "Please wait %(num)d minutes and try again.",
        minutes,
    )


def sentences(*parts: str) -> str:
    """Sentences one after another: Japanese puts no space between them."""
    return ("" if current_language() == "ja" else " ").join(parts)


def address_limited(wait: timedelta) -> str:
    return sentences(
        _("There have been too many unsuccessful attempts from your network."),
        wait_message(wait),
    )
