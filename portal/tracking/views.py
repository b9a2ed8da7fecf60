"""ENR-6 tracking page: ``/applications/track``.

Works as a plain form (POST, or GET with ``reference`` and ``email`` in the address) and with
htmx (the form and the answer are one block of the page, swapped in place).
"""

from __future__ import annotations

import math
from datetime import timedelta

from flask import Blueprint, current_app, request
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.accounts.current import client_address
from portal.db import utcnow
from portal.extensions import db
from portal.templating import is_htmx, render_page
from portal.tracking import services
from portal.tracking.forms import TrackForm
from portal.workdays import japan_date

bp = Blueprint("tracking", __name__, template_folder="templates")


def _limited_message(wait: timedelta) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return ngettext(
        "You have looked up applications too many times in a short while. Please wait "
        "%(num)d minute and try again.",
        "You have looked up applications too many times in a short while. Please wait "
        "%(num)d minutes and try again.",
        minutes,
    )


@bp.route("/applications/track", methods=["GET", "POST"])
def track():
    if request.method == "POST":
        form = TrackForm()
        asked = True
    else:
        form = TrackForm(request.args, meta={"csrf": False})
        # A link may bring the reference alone (the confirmation page's): the form is then
        # filled in, and the lookup waits for the email address.
        asked = "email" in request.args
    result = None
    problem = None
    status = 200
    if asked:
        status = 422
        if form.validate():
            config = current_app.config
            answer = services.track(
                db.session, form.reference.data, form.email.data, address=client_address(),
                max_lookups=config["TRACKING_MAX_LOOKUPS"],
                window=timedelta(minutes=config["TRACKING_WINDOW_MINUTES"]),
            )
            if answer.outcome is services.Outcome.FOUND:
                result, status = answer.status, 200
            elif answer.outcome is services.Outcome.LIMITED:
                problem = _limited_message(answer.wait)
                # htmx swaps 422 answers only; a plain request gets the proper status.
                status = 422 if is_htmx() else 429
            else:
                problem = _("We could not find an application with this reference number and "
                            "email address. Check both against your confirmation page or PDF "
                            "and try again.")
    response = render_page(
        "tracking/track.html", "track_body", status=status, form=form, result=result,
        problem=problem, today=japan_date(utcnow()),
    )
    return response
