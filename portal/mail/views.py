"""The development mailbox (``/dev/mail``) and the ``send-mail`` command.

In development without an SMTP server the sender "delivers" mail to the outbox itself; this
page shows every email in the outbox so a newcomer can follow a journey end to end (for
example open the registration link of a new user's welcome email). Outside development
every address here is a 404.
"""

from __future__ import annotations

import logging
import re
import threading

import click
from flask import Blueprint, Response, abort, current_app, render_template

from portal.extensions import db
from portal.mail import outbox
from portal.mail.config import MailConfig
from portal.mail.sender import run_loop, send_due

bp = Blueprint("devmail", __name__, template_folder="templates", url_prefix="/dev/mail",
               cli_group=None)

HREF = re.compile(r'href="(https?://[^"]+)"')

# The email's own HTML is shown in a sandboxed frame with a policy of its own: inline
# styles (as mail needs), no scripts, nothing fetched; links open outside the frame.
EMAIL_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; "
    "sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation"
)


@bp.before_request
def _development_only():
    if current_app.config["PORTAL_ENV"] != "development":
        abort(404)


@bp.get("/")
def inbox():
    emails, _more = outbox.list_emails(db.session, per_page=200)
    return render_template("devmail/inbox.html", emails=emails)


@bp.get("/<int:email_id>")
def message(email_id: int):
    email = outbox.get_email(db.session, email_id) or abort(404)
    links = list(dict.fromkeys(HREF.findall(email.html_body)))
    return render_template("devmail/message.html", email=email, links=links)


@bp.get("/<int:email_id>/html")
def message_html(email_id: int):
    email = outbox.get_email(db.session, email_id) or abort(404)
    response = Response(email.html_body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = EMAIL_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.cli.command("send-mail")
@click.option("--loop", is_flag=True,
              help="Keep running and send new mail every PORTAL_MAIL_POLL_SECONDS.")
def send_mail_command(loop: bool):
    """Deliver the queued emails that are due (once, or with --loop until stopped)."""
    if loop:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
        stop = threading.Event()
        try:
            run_loop(current_app._get_current_object(), stop)
        except KeyboardInterrupt:
            stop.set()
        return
    report = send_due(db.session, MailConfig.from_config(current_app.config), limit=100_000)
    click.echo(str(report))
    if report.problems:
        raise SystemExit(1)
