"""Back-office pages for applications (ENR-7) and for unlocking portal users (AUTH-1).

Routes on the ``backoffice`` blueprint; every one needs a signed-in staff member. Actions
post (with CSRF), answer with a message and go back to the application (Post/Redirect/Get);
a repeated or late decision is told so and changes nothing.
"""

from __future__ import annotations

import re
import unicodedata

from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from portal.accounts import services as accounts
from portal.accounts.models import User
from portal.backoffice import applications as queries
from portal.backoffice import audit, processing
from portal.backoffice.auth import current_staff, staff_required
from portal.backoffice.blueprint import bp
from portal.backoffice.forms import (
    ApplicationFilterForm,
    PostForm,
    RejectForm,
    UserSearchForm,
)
from portal.backoffice.outcomes import AlreadyDecided, ProcessingError
from portal.enrollment import summary
from portal.enrollment.documents import upload_dir
from portal.extensions import db
from portal.i18n import current_language
from portal.templating import render_page

USER_TARGET = "portal_user"



def _filters(form: ApplicationFilterForm) -> queries.Filters:
    form.validate()
    return queries.Filters(
        query=(form.q.data or "").strip() or None if not form.q.errors else None,
        kind=form.kind.data or None,
        status=form.status.data or None,
        submitted_from=form.submitted_from.data if not form.submitted_from.errors else None,
        submitted_to=(form.submitted_to.data
                      if not form.submitted_to.errors and not form.submitted_from.errors
                      else None),
    )


@bp.get("/applications")
@staff_required
def applications():
    form = ApplicationFilterForm(request.args)
    filters = _filters(form)
    page = queries.list_applications(db.session, filters,
                                     page=request.args.get("page", 1, type=int) or 1)
    args = {key: value for key, value in request.args.items()
            if key in ("q", "kind", "status", "submitted_from", "submitted_to") and value}
    return render_page(
        "backoffice/applications.html", "application_results", form=form, page=page,
        counts=queries.status_counts(db.session, filters), args=args, filters=filters,
        base_args={key: value for key, value in args.items() if key != "status"},
    )


def _detail(application_id: int, *, reject_form: RejectForm | None = None, status: int = 200):
    application = queries.get_application(db.session, application_id) or abort(404)
    # The same words as the applicant's review page and PDF; secrets only as "set".
    sections = summary.sections(db.session, application.kind,
                                queries.without_secrets(application.data or {}),
                                current_language())
    return render_page(
        "backoffice/application_detail.html", status=status, application=application,
        sections=sections, post_form=PostForm(),
        reject_form=reject_form or RejectForm(),
        decided_by=queries.decided_by(db.session, application),
        actions=audit.actions_for(db.session, processing.TARGET, application.id),
        created=queries.created_users(application),
        targets=(queries.target_users(db.session, application)
                 if application.status in processing.OPEN else []),
        applicant_problem=(queries.applicant_problem(db.session, application)
                           if application.status in processing.OPEN else None),
    )


@bp.get("/applications/<int:application_id>")
@staff_required
def application_detail(application_id: int):
    return _detail(application_id)


def _back(application_id: int):
    return redirect(url_for("backoffice.application_detail", application_id=application_id),
                    303)


def _refused(error: ProcessingError) -> None:
    db.session.rollback()
    flash(error.message, "error")


@bp.post("/applications/<int:application_id>/start-review")
@staff_required
def application_start_review(application_id: int):
    queries.get_application(db.session, application_id) or abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        processing.start_review(db.session, application_id, current_staff())
    except ProcessingError as error:
        _refused(error)
    else:
        flash(_("The review has started. The applicant now sees “In review”."), "success")
    return _back(application_id)


@bp.post("/applications/<int:application_id>/approve")
@staff_required
def application_approve(application_id: int):
    queries.get_application(db.session, application_id) or abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        outcome = processing.approve(db.session, application_id, current_staff())
    except ProcessingError as error:
        _refused(error)
        return _back(application_id)
    kind = outcome.application.kind
    if kind == "new":
        flash(ngettext(
            "Approved. %(num)d user was created and will receive two emails.",
            "Approved. %(num)d users were created and will each receive two emails.",
            len(outcome.created)), "success")
    elif kind == "change":
        flash(_("Approved. Access added: %(added)d, removed: %(removed)d, already as "
                "requested: %(unchanged)d.", added=outcome.added, removed=outcome.removed,
                unchanged=outcome.unchanged), "success")
    else:
        flash(_("Approved. The user can no longer sign in and their access was removed."),
              "success")
    return _back(application_id)


@bp.post("/applications/<int:application_id>/reject")
@staff_required
def application_reject(application_id: int):
    queries.get_application(db.session, application_id) or abort(404)
    form = RejectForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _detail(application_id, reject_form=form, status=422)
    try:
        processing.reject(db.session, application_id, current_staff(), form.reason.data)
    except AlreadyDecided as error:
        _refused(error)
    except ProcessingError as error:
        db.session.rollback()
        form.reason.errors = [str(message) for message in error.errors.values()]
        return _detail(application_id, reject_form=form, status=422)
    else:
        flash(_("Rejected. The applicant sees the reason when they track the application."),
              "success")
    return _back(application_id)


@bp.get("/applications/<int:application_id>/documents/<int:document_id>")
@staff_required
def application_document(application_id: int, document_id: int):
    document = queries.get_document(db.session, application_id, document_id) or abort(404)
    path = queries.document_path(upload_dir(), document) or abort(404)
    response = send_file(path, mimetype=document.content_type, as_attachment=True,
                         download_name=document.filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- unlocking portal users (AUTH-1) ----------------------------------------------------------

def _find_user(query: str) -> User | None:
    value = unicodedata.normalize("NFKC", query or "").strip()
    digits = re.sub(r"[\s-]", "", value)
    if len(digits) == 9 and digits.isdigit():
        found = db.session.scalar(select(User).where(User.contact_id == digits))
        if found is not None:
            return found
    return accounts.find_by_user_id(db.session, value)


@bp.get("/users")
@staff_required
def users():
    form = UserSearchForm(request.args)
    user = None
    searched = "q" in request.args
    if searched and form.validate():
        user = _find_user(form.q.data)
        if user is not None:
            db.session.refresh(user)
    return render_page(
        "backoffice/users.html", "user_result", form=form, user=user, searched=searched,
        post_form=PostForm(),
        actions=audit.actions_for(db.session, USER_TARGET, user.id) if user else [],
    )


@bp.post("/users/<int:user_pk>/unlock")
@staff_required
def user_unlock(user_pk: int):
    if not PostForm().validate_on_submit():
        abort(400)
    user = db.session.get(User, user_pk) or abort(404)
    back = redirect(url_for("backoffice.users", q=user.contact_id), 303)
    with accounts.write_transaction(db.session):
        user = db.session.get(User, user_pk, populate_existing=True)
        if user.locked_at is None:
            locked = False
        else:
            locked = True
            audit.record(db.session, current_staff(), "user.unlock", USER_TARGET, user.id,
                         {"user_id": user.user_id, "contact_id": user.contact_id,
                          "failed_logins": user.failed_logins})
            accounts.unlock(db.session, user)
    if locked:
        flash(_("The account is unlocked. The user can sign in again."), "success")
    else:
        flash(_("This account was not locked. Nothing was changed."), "info")
    return back
