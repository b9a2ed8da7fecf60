"""The enrollment wizard engine: kinds of application made of steps.

How to add a kind
=================

A kind is an application type (``new``, ``change``, ``delete``). It supplies only its own
steps (forms, parsing, validation, templates) and its summary; the engine supplies the rest:
the start page, drafts with the ENR-1 time limit (timer, warning dialog, Extend, Discard,
expiry), the step bar, Back / "Save and next" / "Save and return to the review" moves that
always save, the review page with a change link per section, the idempotent submit with an
unguessable reference number, the confirmation page and the PDF.

This module holds the model (:class:`Kind`, :class:`Step`, :class:`ReviewStep`, :class:`Ctx`)
and the registry of kinds. Around it: :mod:`portal.enrollment.views` (the pages),
:mod:`portal.enrollment.wizard_session` (the browser's drafts and the timer),
:mod:`portal.enrollment.submission` (the submit) and :mod:`portal.enrollment.step_helpers`
(helpers for writing steps).

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
``entries(user)`` and ``user_label``), :class:`portal.enrollment.kinds.new_user_access.AccessStep`
(per-user entries of country, functions, roles and control group with their htmx pieces;
``kinds/change_user.py`` reuses it through its hooks ``entries_key``, ``countries``,
``form_base``, the templates, ``parse_entry`` and ``entry_errors``), the helpers of
:mod:`portal.enrollment.step_helpers` (``posted_rows``, ``field_value``, ``prefixed_labels``,
``users_step_context``, ``action_urls``), the field macro
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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.enrollment import drafts, refdata
from portal.enrollment.models import Draft

Errors = dict[str, str]


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
            "submit_key": drafts.submit_key(ctx.draft),
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


def make_ctx(kind: Kind, draft: Draft, session: Session, *, review: bool = False) -> Ctx:
    return Ctx(kind=kind, draft=draft, session=session, ref=refdata.load(session),
               review=review)
