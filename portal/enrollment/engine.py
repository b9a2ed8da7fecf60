"""The enrollment wizard engine: kinds of application made of steps.

How to add a kind
=================

A kind is an application type (``new``, ``change``, ``delete``). It supplies only its own
steps (forms, parsing, validation, templates) and its summary; the engine supplies the rest:
the start page, drafts with the ENR-1 time limit (timer, warning dialog, Extend, Discard,
expiry), the step bar, Back / "Save and next" / "Save and return to the review" moves that
always save, the review page with a change link per section, the idempotent submit with an
unguessable reference number, the confirmation page and the PDF.

1. Write ``portal/enrollment/kinds/<kind>.py``::

       from portal.enrollment.engine import Kind, ReviewStep, Step, register

       class ChangeUsers(Step):
           key = "users"                         # /enroll/change/step/users
           label = _l("User information")        # shown in the step bar
           template = "enrollment/kinds/change_users.html"   # extends "enrollment/step.html"

           def parse(self, ctx, form, files):    # copy what was posted into ctx.data;
               ...                               # never validates, never drops input
           def validate(self, ctx):              # {"field-id": "message", ...} for this step
               ...
           def context(self, ctx, errors):       # template variables; put the WTForms forms
               return {"forms": [...]}           # under "forms" so the error summary can
                                                 # label each error
           actions = {"add-user": "add_user"}    # htmx pieces, POST .../step/users/do/add-user
           def add_user(self, ctx):              # -> html (or (html, status)); the engine
               ...                               # appends the out-of-band timer itself

       class ChangeKind(Kind):
           name = "change"                       # URL /enroll/change/, endpoint enrollment.change
           letter = "C"                          # first letter of its reference numbers
           title = _l("Change a user")
           steps = (ChangeUsers(), ..., ReviewStep(back=(("approvers", _l("Return to ..."),),)))
           section_steps = {"applicant": "users", "user": "users", "access": "users",
                            "approver": "approvers"}   # summary group -> step (change links)
           def initial_data(self, language): ... # the draft's data at the start
           def finalize(self, ctx): ...          # the exact contract shape, after validation
           def applicant_email(self, data): ...  # stored on the application for tracking
           done_notes = "enrollment/kinds/change_done_notes.html"   # optional

       register(ChangeKind())

2. Import the module in ``portal/enrollment/kinds/__init__.py`` (before the blueprint is
   registered, so that ``has_endpoint("enrollment.change")`` becomes true and the landing
   page links to it).
3. Teach :mod:`portal.enrollment.summary` the kind's sections (it already knows all three
   kinds of the data contract in ``models.py``).

Reusable pieces: :class:`portal.enrollment.approvers.ApproversStep` (approvers per
(country, user) pair with consent, the Online Card Application rule and documents; override
``entries(user)`` and ``user_label``), :class:`portal.enrollment.kinds.new_user.AccessStep`
(per-user entries of country, functions, roles and control group with their htmx pieces;
``kinds/change_user.py`` reuses it through its hooks ``entries_key``, ``countries``,
``form_base``, the templates, ``parse_entry`` and ``entry_errors``), the helpers at the end
of this module
(``posted_rows``, ``field_value``, ``prefixed_labels``, ``action_urls``), the field macro
and ``enrollment/_macros.html:group_error`` in templates, ``portal.enrollment.rules`` (names,
email, phone, control group numbers, user IDs) and ``portal.enrollment.services``
(``registered_role``).

A step's fields post with the step's form; pieces that change the page in place (add a row,
reload a list) are step ``actions`` returning a fragment. Step templates get ``ctx``,
``kind``, ``step``, ``errors``, ``review`` (came from the review's change link) and
``action_url(name)``; they extend ``enrollment/step.html`` and fill ``step_fields``.
A piece that only reads (a new blank row) can be fetched with ``hx-get`` (no CSRF, no form
body; see "add-access"); pieces that save use ``hx-post`` and get the whole step form.
``context`` may also return ``labels`` ({field id: label}) for errors without a WTForms
field. ``validate`` runs again for every step at submit; the first failing step is shown
with its errors (``?check=1``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any, ClassVar

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.enrollment import drafts, refdata
from portal.enrollment.models import Application, Draft

Errors = dict[str, str]

# Reference numbers: a kind letter and 12 characters from an alphabet without look-alikes
# (no 0/O, 1/I/L, U): 31**12 ~ 2**59 possibilities, drawn with ``secrets``.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass
class Ctx:
    """One request's view of a draft: the data to read and change, and what it needs."""

    kind: Kind
    draft: Draft
    session: Session
    ref: refdata.Reference
    review: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    _data: dict[str, Any] | None = None

    @property
    def data(self) -> dict[str, Any]:
        """The draft's data to read and change (a copy, made on first use: pieces that do
        not need it, like "Add access", skip the copy)."""
        if self._data is None:
            self._data = drafts.data_of(self.draft)
        return self._data

    @data.setter
    def data(self, value: dict[str, Any]) -> None:
        self._data = value

    @property
    def language(self) -> str:
        from portal.i18n import current_language

        return current_language()


class Step:
    key: ClassVar[str] = ""
    label: ClassVar[Any] = ""
    template: ClassVar[str] = ""
    # Name of an htmx piece -> name of the method that renders it.
    actions: ClassVar[Mapping[str, str]] = {}
    # Whether the step's form carries files (multipart).
    multipart: ClassVar[bool] = False

    def parse(self, ctx: Ctx, form: Mapping[str, Any], files: Mapping[str, Any]) -> None:
        """Copy what was posted into ``ctx.data`` (no validation; keep every entry)."""

    def validate(self, ctx: Ctx) -> Errors:
        return {}

    def context(self, ctx: Ctx, errors: Errors) -> dict[str, Any]:
        return {}


class ReviewStep(Step):
    """The last step of every kind: everything entered, change links, submit."""

    key = "review"
    label = _l("Review")
    template = "enrollment/review.html"

    def __init__(self, back: tuple[tuple[str, Any], ...] = ()):
        # Buttons back to earlier steps, e.g. (("approvers", _l("Return to approver
        # details")), ("users", _l("Back to user information"))).
        self.back = back

    def context(self, ctx: Ctx, errors: Errors) -> dict[str, Any]:
        from portal.enrollment import summary

        steps = ctx.kind.section_steps

        def change_url(section) -> str | None:
            key = steps.get(section.group)
            if not key:
                return None
            # To the section's own place on the step (#applicant, #deletion, #user-0...): on
            # a narrow screen the delete step's applicant is below the user to delete.
            return (url_for("enrollment.step", kind=ctx.kind.name, step=key, review=1)
                    + f"#{section.key}")

        return {
            "sections": summary.sections(ctx.session, ctx.kind.name, ctx.data, ctx.language,
                                         documents=ctx.draft.documents),
            "change_url": change_url,
            "submit_key": submit_key(ctx.draft),
        }


class Kind:
    name: ClassVar[str] = ""
    letter: ClassVar[str] = "X"
    title: ClassVar[Any] = ""
    intro: ClassVar[Any] = ""
    steps: ClassVar[tuple[Step, ...]] = ()
    # A template included on the confirmation page under the summary (what happens next),
    # and one shown on the review page above the submit button.
    done_notes: ClassVar[str | None] = None
    review_notes: ClassVar[str | None] = None
    # Summary section group -> the step where it is entered (the review's change links).
    section_steps: ClassVar[Mapping[str, str]] = {}

    def initial_data(self, ctx_language: str) -> dict[str, Any]:
        return {}

    def applicant_email(self, data: Mapping[str, Any]) -> str:
        return str((data.get("applicant") or {}).get("email") or "")

    def finalize(self, ctx: Ctx) -> dict[str, Any]:
        """The data stored on the application (after every step validated)."""
        return ctx.data

    # --- helpers the engine uses -------------------------------------------------------
    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)

    def index(self, key: str) -> int:
        return next(i for i, s in enumerate(self.steps) if s.key == key)

    @property
    def first(self) -> Step:
        return self.steps[0]

    def next_of(self, key: str) -> Step | None:
        i = self.index(key)
        return self.steps[i + 1] if i + 1 < len(self.steps) else None

    def previous_of(self, key: str) -> Step | None:
        i = self.index(key)
        return self.steps[i - 1] if i > 0 else None

    @property
    def endpoint(self) -> str:
        return f"enrollment.{self.name}"


KINDS: dict[str, Kind] = {}
_installers: list[Callable[[Kind], None]] = []


def register(kind: Kind) -> Kind:
    """Make ``kind`` available at ``/enroll/<name>/`` (call at import time)."""
    if not kind.steps or not isinstance(kind.steps[-1], ReviewStep):
        raise ValueError(f"kind {kind.name!r} must end with a ReviewStep")
    KINDS[kind.name] = kind
    for install in _installers:
        install(kind)
    return kind


def on_register(install: Callable[[Kind], None]) -> None:
    """Call ``install(kind)`` for every kind registered, now and later (the views use it to
    add each kind's start route)."""
    _installers.append(install)
    for kind in KINDS.values():
        install(kind)


# --- drafts in the browser's session -------------------------------------------------------

SESSION_KEY = "enrollment_drafts"
DONE_KEY = "enrollment_done"


def limits() -> drafts.Limits:
    return drafts.Limits.from_config(current_app.config)


def session_draft_id(browser_session, kind: Kind) -> str | None:
    return (browser_session.get(SESSION_KEY) or {}).get(kind.name)


def remember_draft(browser_session, kind: Kind, draft_id: str | None) -> None:
    mapping = dict(browser_session.get(SESSION_KEY) or {})
    if draft_id:
        mapping[kind.name] = draft_id
    else:
        mapping.pop(kind.name, None)
    browser_session[SESSION_KEY] = mapping


def remember_done(browser_session, reference: str) -> None:
    done = [r for r in browser_session.get(DONE_KEY, []) if r != reference]
    browser_session[DONE_KEY] = (done + [reference])[-10:]


def may_see(browser_session, reference: str) -> bool:
    return reference in (browser_session.get(DONE_KEY) or [])


def make_ctx(kind: Kind, draft: Draft, session: Session, *, review: bool = False) -> Ctx:
    return Ctx(kind=kind, draft=draft, session=session, ref=refdata.load(session),
               review=review)


# --- the timer ------------------------------------------------------------------------------

def timer(kind: Kind, draft: Draft, *, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    lim = limits()
    return {
        "deadline": draft.deadline,
        "deadline_ms": int(draft.deadline.timestamp() * 1000),
        "now_ms": int(now.timestamp() * 1000),
        "remaining": drafts.remaining_seconds(draft, now=now),
        "warning": lim.warning,
        "can_extend": drafts.can_extend(draft, lim),
        "extensions_left": max(0, lim.max_extensions - draft.extensions),
        "extend_url": url_for("enrollment.extend", kind=kind.name),
        "discard_url": url_for("enrollment.discard", kind=kind.name),
        "expired_url": url_for("enrollment.expired", kind=kind.name),
    }


def timer_oob(draft: Draft, *, now: datetime | None = None) -> str:
    """The server's deadline, out of band (``#form-timer-sync`` of ``_timer.html``): it
    ends every htmx answer of the wizard, so it is made without a template."""
    now = now or utcnow()
    return (
        f'<b id="form-timer-sync" hidden data-deadline="{int(draft.deadline.timestamp() * 1000)}"'
        f' data-now="{int(now.timestamp() * 1000)}" hx-swap-oob="true"></b>'
    )


# --- moves and submit -------------------------------------------------------------------------

def validate_all(ctx: Ctx) -> tuple[Step, Errors] | None:
    """The first step whose validation fails, with its errors; None when all pass."""
    for step in ctx.kind.steps:
        if isinstance(step, ReviewStep):
            continue
        errors = step.validate(ctx)
        if errors:
            return step, errors
    return None


def submit_key(draft: Draft) -> str:
    """The one-time key of the final submit: derived from the draft's secret id, so a repeat
    (double click, resent form) carries the same key and finds the first application."""
    return hashlib.sha256(f"submit:{draft.id}".encode()).hexdigest()


def new_reference(letter: str) -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(12))
    return f"{letter}-{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"


def expected_by(submitted_at: datetime) -> datetime:
    """The end (in Japan) of the fifth business day after submission."""
    from portal.workdays import JAPAN, expected_completion

    day = expected_completion(submitted_at)
    return datetime.combine(day, time(23, 59, 59), tzinfo=JAPAN).astimezone(UTC)


def find_by_submit_key(session: Session, key: str) -> Application | None:
    if not key:
        return None
    return session.scalar(select(Application).where(Application.submit_key == key))


class NotValid(Exception):
    def __init__(self, step: Step, errors: Errors):
        super().__init__(step.key)
        self.step = step
        self.errors = errors


def submit(ctx: Ctx, *, now: datetime | None = None) -> Application:
    """Store the draft as an application (status "received") and delete the draft, in one
    transaction. Raises :class:`NotValid` for the first step that fails. A repeat with the
    same key returns the first application."""
    key = submit_key(ctx.draft)
    failed = validate_all(ctx)
    if failed:
        raise NotValid(*failed)
    now = now or utcnow()
    data = ctx.kind.finalize(ctx)
    email = ctx.kind.applicant_email(data).strip()
    session = ctx.session
    for _attempt in range(5):
        application = Application(
            reference=new_reference(ctx.kind.letter), kind=ctx.kind.name, status="received",
            language=ctx.language, applicant_email=email,
            applicant_email_folded=email.casefold(), data=data, submit_key=key,
            submitted_at=now, expected_by=expected_by(now),
        )
        try:
            with session.begin_nested():
                session.add(application)
                session.flush()
        except IntegrityError:
            existing = find_by_submit_key(session, key)
            if existing is not None:
                return existing
            continue  # a reference collision: draw another
        for document in list(ctx.draft.documents):
            document.application_id = application.id
        session.flush()
        drafts.remove(session, ctx.draft)
        session.commit()
        return application
    raise RuntimeError("could not draw a free reference number")


# --- helpers for steps (posted rows, labels, addresses of pieces) ---------------------------

def field_value(form: Mapping[str, Any], name: str) -> str:
    """A posted text value, stripped ("" when absent)."""
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def posted_rows(form: Mapping[str, Any], pattern: str) -> int:
    """How many rows were posted: ``pattern`` with {n} = 0, 1, 2 ... while present, e.g.
    ``posted_rows(form, "u{n}-family_name")``. Rows are numbered by the server from 0."""
    n = 0
    while pattern.format(n=n) in form:
        n += 1
    return n


def prefixed_labels(forms, prefix: str) -> dict[str, str]:
    """Error-summary labels that say whose field it is ("User 2: Email address")."""
    from flask_babel import gettext

    return {f.id: gettext("%(where)s: %(label)s", where=prefix, label=f.label.text)
            for form in forms for f in form}


def users_step_context(applicant, user_forms: list) -> dict[str, Any]:
    """What the shared users-step template needs (``enrollment/kinds/_users_step.html``): the
    applicant's form, one form per user, and error-summary labels saying whose field it is."""
    from flask_babel import gettext

    labels = prefixed_labels([applicant], gettext("Applicant"))
    for i, form in enumerate(user_forms):
        labels.update(prefixed_labels([form], gettext("User %(number)d", number=i + 1)))
    return {"applicant_form": applicant, "user_forms": user_forms,
            "forms": [applicant, *user_forms], "labels": labels}


def action_urls(ctx: Ctx, step: Step) -> Callable[..., str]:
    """``build(name, **values)``: the address of one of ``step``'s htmx pieces."""

    def build(name: str, **values: Any) -> str:
        return url_for("enrollment.action", kind=ctx.kind.name, step=step.key, action=name,
                       **values)

    return build
