"""Routes of the enrollment wizard: the landing page and the engine's generic routes.

Every kind registered with :func:`portal.enrollment.engine.register` gets its start page at
``/enroll/<name>/`` (endpoint ``enrollment.<name>``); its steps, htmx pieces, time limit,
review, submit, confirmation and PDF use the generic routes below.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from portal.db import immediate
from portal.enrollment import drafts, engine, submission, summary, wizard_session
from portal.enrollment import kinds as _kinds  # noqa: F401  (registers the kinds)
from portal.enrollment.engine import KINDS, Ctx, Errors, Kind, ReviewStep, Step
from portal.enrollment.models import Application
from portal.extensions import db
from portal.i18n import current_language
from portal.templating import is_htmx

bp = Blueprint("enrollment", __name__, url_prefix="/enroll", template_folder="templates",
               cli_group=None)

PURGE_EVERY = 600.0  # seconds between opportunistic purges of expired drafts, per process
_last_purge = [0.0]


@bp.cli.command("purge-drafts")
def purge_drafts_command():
    """Delete application drafts whose time limit has passed (and their uploads)."""
    import click

    removed = drafts.purge_expired(db.session)
    click.echo(f"{removed} expired draft(s) deleted")


def _maybe_purge() -> None:
    """Now and then, when someone starts an application, clear drafts nobody finished."""
    import time

    now = time.monotonic()
    if now - _last_purge[0] < PURGE_EVERY:
        return
    _last_purge[0] = now
    drafts.purge_expired(db.session)


def _kind(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        abort(404)
    return kind


def _go(url: str):
    if is_htmx():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


class _Stop(Exception):
    def __init__(self, response):
        self.response = response


def _open(kind: Kind, *, review: bool = False) -> Ctx:
    """The browser's live draft of ``kind`` or a stop: to the start page when there is none,
    to the "entries discarded" page when its time is up (the draft is then deleted)."""
    try:
        draft = drafts.load(db.session, wizard_session.session_draft_id(session, kind), kind.name)
    except drafts.DraftExpired:
        wizard_session.remember_draft(session, kind, None)
        raise _Stop(_go(url_for(".expired", kind=kind.name, gone=1))) from None
    except drafts.DraftMissing:
        wizard_session.remember_draft(session, kind, None)
        flash(_("There is no application in progress. Start a new one here."), "warning")
        raise _Stop(_go(url_for(kind.endpoint))) from None
    return engine.make_ctx(kind, draft, db.session, review=review)


@bp.errorhandler(_Stop)
def _stopped(stop: _Stop):
    return stop.response


def _labels(forms) -> dict[str, str]:
    labels: dict[str, str] = {}
    for form in forms or ():
        for f in form:
            labels[f.id] = str(f.label.text)
    return labels


def apply_errors(forms, errors: Errors) -> None:
    """Put each error on the WTForms field whose id it names (for the field macro)."""
    for form in forms or ():
        for f in form:
            if f.id in errors:
                f.errors = [errors[f.id]]


def render_step(ctx: Ctx, step: Step, errors: Errors | None = None, status: int = 200):
    errors = errors or {}
    kind = ctx.kind
    variables = step.context(ctx, errors)
    forms = variables.get("forms", [])
    apply_errors(forms, errors)
    labels = {**_labels(forms), **variables.pop("labels", {})}
    body = render_template(
        step.template, ctx=ctx, kind=kind, step=step, errors=errors, labels=labels,
        steps=[str(s.label) for s in kind.steps], current=kind.index(step.key) + 1,
        review=ctx.review, timer=wizard_session.timer(kind, ctx.draft),
        step_url=url_for(".step", kind=kind.name, step=step.key),
        action_url=lambda name, **kw: url_for(".action", kind=kind.name, step=step.key,
                                              action=name, **kw),
        previous=kind.previous_of(step.key), next=kind.next_of(step.key),
        **variables,
    )
    return body, status


def fragment(ctx: Ctx, html: str, status: int = 200):
    """An htmx piece with the timer re-rendered out of band (the server's deadline)."""
    return html + wizard_session.timer_oob(ctx.draft), status


# --- landing and start ---------------------------------------------------------------------

@bp.get("/")
def landing():
    return render_template("enrollment/landing.html")


def _start(kind_name: str):
    kind = _kind(kind_name)
    draft_id = wizard_session.session_draft_id(session, kind)
    if draft_id:
        try:
            draft = drafts.load(db.session, draft_id, kind.name)
        except (drafts.DraftExpired, drafts.DraftMissing):
            wizard_session.remember_draft(session, kind, None)
        else:
            if request.method == "GET":
                return redirect(url_for(".step", kind=kind.name,
                                        step=draft.step or kind.first.key), 303)
            drafts.remove(db.session, draft)
    if request.method == "POST":
        _maybe_purge()
        draft = drafts.create(db.session, kind.name, current_language(), wizard_session.limits(),
                              data=kind.initial_data(current_language()),
                              first_step=kind.first.key)
        db.session.commit()
        wizard_session.remember_draft(session, kind, draft.id)
        return redirect(url_for(".step", kind=kind.name, step=kind.first.key), 303)
    lim = wizard_session.limits()
    return render_template("enrollment/start.html", kind=kind,
                           minutes=lim.seconds // 60, warning_minutes=max(1, lim.warning // 60),
                           extensions=lim.max_extensions)


def _install(kind: Kind) -> None:
    bp.add_url_rule(f"/{kind.name}/", endpoint=kind.name, methods=["GET", "POST"],
                    view_func=lambda kind_name=kind.name: _start(kind_name))


engine.on_register(_install)


# --- steps ------------------------------------------------------------------------------------

@bp.route("/<kind>/step/<step>", methods=["GET", "POST"])
def step(kind: str, step: str):
    k = _kind(kind)
    current = k.step(step)
    if current is None:
        abort(404)
    review = request.values.get("review") == "1"
    ctx = _open(k, review=review)
    if request.method == "GET":
        errors = current.validate(ctx) if request.args.get("check") == "1" else {}
        return render_step(ctx, current, errors, 422 if errors else 200)
    nav = request.form.get("nav", "next")
    if request.form.get("stay_action"):  # a button that acts within the step (upload...)
        nav = "stay"
    if not isinstance(current, ReviewStep):
        current.parse(ctx, request.form, request.files)
    if nav == "back":
        target = k.previous_of(current.key) or current
        drafts.save(db.session, ctx.draft, ctx.data, step=target.key)
        db.session.commit()
        return redirect(url_for(".step", kind=k.name, step=target.key), 303)
    errors = current.validate(ctx)
    drafts.save(db.session, ctx.draft, ctx.data)
    if errors or nav == "stay":
        db.session.commit()
        return render_step(ctx, current, errors, 422 if errors else 200)
    target = k.steps[-1] if nav == "review" else (k.next_of(current.key) or current)
    ctx.draft.step = target.key
    db.session.commit()
    return redirect(url_for(".step", kind=k.name, step=target.key), 303)


@bp.route("/<kind>/step/<step>/do/<action>", methods=["GET", "POST"])
def action(kind: str, step: str, action: str):
    k = _kind(kind)
    current = k.step(step)
    method = current and current.actions.get(action)
    if not method:
        abort(404)
    ctx = _open(k, review=request.values.get("review") == "1")
    result = getattr(current, method)(ctx)
    if not isinstance(result, tuple):
        result = (result, 200)
    html, status = result
    if isinstance(html, str):
        return fragment(ctx, html, status)
    return html


# --- time limit ---------------------------------------------------------------------------------

@bp.post("/<kind>/time")
def extend(kind: str):
    k = _kind(kind)
    ctx = _open(k)
    extended = drafts.extend(db.session, ctx.draft, wizard_session.limits())
    db.session.commit()
    if not is_htmx():
        if not extended:
            flash(_("The time limit cannot be extended any more."), "warning")
        return redirect(url_for(".step", kind=k.name, step=ctx.draft.step or k.first.key), 303)
    html = render_template("enrollment/_extended.html", extended=extended,
                           timer=wizard_session.timer(k, ctx.draft))
    return fragment(ctx, html)


@bp.post("/<kind>/discard")
def discard(kind: str):
    k = _kind(kind)
    draft_id = wizard_session.session_draft_id(session, k)
    try:
        draft = drafts.load(db.session, draft_id, k.name)
    except (drafts.DraftExpired, drafts.DraftMissing):
        pass
    else:
        drafts.remove(db.session, draft)
        db.session.commit()
    wizard_session.remember_draft(session, k, None)
    flash(_("Your application was discarded. Nothing you entered has been kept."), "success")
    return _go(url_for(".landing"))


@bp.get("/<kind>/expired")
def expired(kind: str):
    k = _kind(kind)
    draft_id = wizard_session.session_draft_id(session, k)
    if draft_id:
        try:
            draft = drafts.load(db.session, draft_id, k.name)
        except (drafts.DraftExpired, drafts.DraftMissing):
            wizard_session.remember_draft(session, k, None)
        else:
            # The browser's clock ran ahead of the server's: the draft is still alive.
            return redirect(url_for(".step", kind=k.name, step=draft.step or k.first.key), 303)
    return render_template("enrollment/expired.html", kind=k,
                           minutes=wizard_session.limits().seconds // 60)


# --- submit, confirmation, PDF -------------------------------------------------------------------

@bp.post("/<kind>/submit")
def submit(kind: str):
    k = _kind(kind)
    key = request.form.get("submit_key", "")
    # One submit at a time: on SQLite the transaction starts with BEGIN IMMEDIATE, so a
    # second click waits for the first to commit and then finds its application (a read
    # snapshot taken earlier could not be turned into a write).
    db.session.commit()
    with immediate(db.session):
        return _submit(k, key)


def _submit(k: Kind, key: str):
    existing = submission.find_by_submit_key(db.session, key)
    if existing is not None and existing.kind == k.name:
        wizard_session.remember_done(session, existing.reference)
        return _go(url_for(".done", kind=k.name, reference=existing.reference))
    try:
        ctx = _open(k)
    except _Stop:
        # A concurrent submit of the same draft may have stored it and deleted the draft
        # since the look-up above (PostgreSQL reads what was committed meanwhile; SQLite
        # serializes submits): answer with its application.
        existing = submission.find_by_submit_key(db.session, key)
        if existing is None or existing.kind != k.name:
            raise
        session.pop("_flashes", None)
        wizard_session.remember_done(session, existing.reference)
        return _go(url_for(".done", kind=k.name, reference=existing.reference))
    if key != drafts.submit_key(ctx.draft):
        flash(_("The review page was out of date. Please check it and submit again."),
              "warning")
        return _go(url_for(".step", kind=k.name, step=k.steps[-1].key))
    try:
        application = submission.submit(ctx)
    except submission.NotValid as problem:
        db.session.commit()
        flash(_("Some details need your attention before the application can be sent."),
              "error")
        return _go(url_for(".step", kind=k.name, step=problem.step.key, check=1))
    wizard_session.remember_draft(session, k, None)
    wizard_session.remember_done(session, application.reference)
    return _go(url_for(".done", kind=k.name, reference=application.reference))


def _application(kind: Kind, reference: str) -> Application:
    if not wizard_session.may_see(session, reference):
        abort(404)
    found = db.session.query(Application).filter_by(reference=reference, kind=kind.name).first()
    if found is None:
        abort(404)
    return found


@bp.get("/<kind>/done/<reference>")
def done(kind: str, reference: str):
    k = _kind(kind)
    application = _application(k, reference)
    sections = summary.sections(db.session, k.name, application.data, current_language())
    return render_template("enrollment/done.html", kind=k, application=application,
                           sections=sections)


@bp.get("/<kind>/done/<reference>.pdf")
def pdf(kind: str, reference: str):
    from portal.enrollment import pdf as pdf_module

    k = _kind(kind)
    application = _application(k, reference)
    content = pdf_module.render(db.session, k, application, current_language())
    response = make_response(content)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="application-{application.reference}.pdf"')
    response.headers["Cache-Control"] = "no-store"
    return response
