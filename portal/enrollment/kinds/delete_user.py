"""Delete user (ENR-5): the user ID to delete, the registered Program Administrator asking
for it, a reason from ``catalog_data/deletion_reasons.yaml``; review and submit.

Data shape: ``Draft.data`` of kind ``delete`` in :mod:`portal.enrollment.models` (the
applicant's ``mode`` is None: there is no choice of who applies). As for changes, the user
IDs are checked for their format only; approval checks that they exist.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.enrollment import rules
from portal.enrollment.engine import Ctx, Errors, Kind, ReviewStep, Step, register
from portal.enrollment.forms import DeleteApplicantForm, DeleteForm
from portal.enrollment.kinds.change_user import (
    APPLICANT_TEXT,
    finalized_applicant,
    parse_applicant,
)
from portal.enrollment.step_helpers import field_value as _get
from portal.enrollment.step_helpers import prefixed_labels as _prefixed
from portal.forms import choices

# Reasons that need a few words of explanation.
NOTE_REQUIRED = frozenset({"OTHER"})
NOTE_MAX = 500


class DeleteStep(Step):
    key = "user"
    label = _l("User information")
    template = "enrollment/kinds/delete_user.html"

    def parse(self, ctx: Ctx, form, files) -> None:
        ctx.data["applicant"] = parse_applicant(form, ctx.data.get("applicant"),
                                                ("user_id", *APPLICANT_TEXT))
        ctx.data["user_id"] = rules.normalize(_get(form, "del-user_id"))
        ctx.data["reason"] = _get(form, "del-reason")
        ctx.data["reason_note"] = _get(form, "del-reason_note")

    def validate(self, ctx: Ctx) -> Errors:
        data = ctx.data
        applicant = data.get("applicant") or {}
        errors: Errors = {}
        problem = rules.user_id_format_problem(data.get("user_id"))
        if problem:
            errors["del-user_id"] = problem
        reason = data.get("reason") or ""
        if reason not in {code for code, _ja, _en in ctx.ref.deletion_reasons}:
            errors["del-reason"] = _("Choose the reason for deleting the user.")
        note = (data.get("reason_note") or "").strip()
        if reason in NOTE_REQUIRED and not note:
            errors["del-reason_note"] = _("Tell us briefly why the user is deleted.")
        elif len(note) > NOTE_MAX:
            errors["del-reason_note"] = _("Use at most %(max)d characters.", max=NOTE_MAX)
        problem = rules.user_id_format_problem(applicant.get("user_id"))
        if problem:
            errors["applicant-user_id"] = problem
        elif (data.get("user_id") and applicant["user_id"].casefold()
              == str(data["user_id"]).casefold()):
            errors["del-user_id"] = _(
                "This is your own user ID. Another Program Administrator of your company, or "
                "our support, can delete it.")
        errors.update(rules.applicant_problems(applicant))
        return errors

    def context(self, ctx: Ctx, errors: Errors) -> dict[str, Any]:
        data = ctx.data
        applicant = DeleteApplicantForm(data=data.get("applicant") or {}, prefix="applicant-")
        form = DeleteForm(data={"user_id": data.get("user_id") or "",
                                "reason": data.get("reason") or "",
                                "reason_note": data.get("reason_note") or ""}, prefix="del-")
        form.reason.choices = choices(
            [(code, ctx.ref.deletion_reason(code)) for code, _ja, _en in ctx.ref.deletion_reasons],
            placeholder=_("Choose a reason"))
        labels = _prefixed([applicant], _("Program Administrator"))
        return {"applicant_form": applicant, "form": form, "forms": [form, applicant],
                "labels": labels, "note_required": sorted(NOTE_REQUIRED)}


class DeleteUser(Kind):
    name = "delete"
    letter = "D"
    title = _l("Delete a user")
    intro = _l("Remove a user ID and all of its access, for example when someone leaves the "
               "company. A registered Program Administrator of the company applies.")
    steps = (DeleteStep(), ReviewStep(back=(("user", _l("Back to user information")),)))
    section_steps = {"applicant": "user", "deletion": "user"}
    done_notes = "enrollment/kinds/delete_done_notes.html"

    def initial_data(self, language: str) -> dict[str, Any]:
        return {"applicant": {"mode": None}, "user_id": "", "reason": "", "reason_note": ""}

    def finalize(self, ctx: Ctx) -> dict[str, Any]:
        data = ctx.data
        note = (data.get("reason_note") or "").strip()
        return {"applicant": finalized_applicant(data.get("applicant") or {}, None),
                "user_id": rules.normalize(data.get("user_id")),
                "reason": data["reason"], "reason_note": note or None}


register(DeleteUser())
