"""The back office (ENR-7 staff area): sign-in, dashboard, mail outbox, ``create-staff``.

Routes attach to :data:`portal.backoffice.blueprint.bp`."""

from __future__ import annotations

import click
from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _

from portal.backoffice import audit, services
from portal.backoffice.auth import (
    clear_cookie,
    current_staff,
    safe_next,
    session_token,
    set_cookie,
    staff_required,
)
from portal.backoffice.blueprint import bp
from portal.backoffice.forms import LoginForm, MailFilterForm, PostForm
from portal.extensions import db
from portal.mail import outbox
from portal.templating import is_htmx, render_page

MAIL_TARGET = "outgoing_email"


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_staff() is not None:
        return redirect(url_for("backoffice.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
    failed = False
    if form.validate_on_submit():
        config = current_app.config
        staff = services.authenticate(
            db.session, form.login.data, form.password.data,
            threshold=config["STAFF_LOCKOUT_THRESHOLD"],
            lock_minutes=config["STAFF_LOCKOUT_MINUTES"],
        )
        if staff is not None:
            services.end_session(db.session, session_token())
            token = services.start_session(db.session, staff,
                                           hours=config["STAFF_SESSION_HOURS"])
            db.session.commit()
            session.pop("csrf_token", None)  # a fresh CSRF token with the new sign-in
            target = safe_next(form.next.data) or url_for("backoffice.home")
            response = redirect(target)
            if is_htmx():
                response = current_app.response_class(status=204)
                response.headers["HX-Redirect"] = target
            set_cookie(response, token)
            return response
        db.session.commit()  # the failure counts
        failed = True
    status = 422 if request.method == "POST" else 200
    return render_page("backoffice/login.html", "login_form", status=status, form=form,
                       failed=failed)


@bp.post("/logout")
def logout():
    services.end_session(db.session, session_token())
    db.session.commit()
    flash(_("You have signed out of the back office."), "success")
    response = redirect(url_for("backoffice.login"))
    clear_cookie(response)
    return response


@bp.get("/")
@staff_required
def home():
    from portal.backoffice.applications import status_counts

    return render_page(
        "backoffice/home.html",
        counts=outbox.status_counts(db.session),
        application_counts=status_counts(db.session),
        recent=audit.recent_actions(db.session),
    )


@bp.get("/mail")
@staff_required
def mail():
    form = MailFilterForm(request.args)
    status = form.status.data if form.status.data in outbox.STATUSES else None
    page = request.args.get("page", 1, type=int) or 1
    emails, more = outbox.list_emails(db.session, status=status, page=page)
    return render_page(
        "backoffice/mail.html", "mail_results", form=form, emails=emails, shown=status,
        page=max(page, 1), more=more, counts=outbox.status_counts(db.session),
        post_form=PostForm(),
    )


@bp.get("/mail/<int:email_id>")
@staff_required
def mail_detail(email_id: int):
    email = outbox.get_email(db.session, email_id) or abort(404)
    return render_page(
        "backoffice/mail_detail.html", email=email, post_form=PostForm(),
        actions=audit.actions_for(db.session, MAIL_TARGET, email.id),
    )


@bp.post("/mail/<int:email_id>/retry")
@staff_required
def mail_retry(email_id: int):
    email = outbox.get_email(db.session, email_id) or abort(404)
    try:
        previous = outbox.retry_now(db.session, email)
    except outbox.NotRetryable:
        db.session.rollback()
        flash(_("Only a failed email can be sent again."), "error")
    else:
        audit.record(db.session, current_staff(), "mail.retry", MAIL_TARGET, email.id,
                     {"attempts": previous, "last_error": email.last_error})
        db.session.commit()
        flash(_("The email is back in the queue and will be sent in a moment."), "success")
    back = safe_next(request.form.get("next")) or url_for("backoffice.mail_detail",
                                                          email_id=email_id)
    return redirect(back)


@bp.cli.command("create-staff")
@click.argument("login")
@click.option("--name", required=True, help="The name shown in the back office.")
@click.option("--password", help="Asked for (hidden, twice) when not given.")
def create_staff_command(login: str, name: str, password: str | None):
    """Create a back-office staff account."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        staff = services.create_staff(db.session, login=login, display_name=name,
                                      password=password)
    except services.StaffError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"staff account {staff.login!r} created; sign in at /backoffice/login")

