"""Change user (ENR-4): who applies and the users' IDs, their access changes, approvers,
review.

Data shape: ``Draft.data`` of kind ``change`` in :mod:`portal.enrollment.models`. The user
IDs are checked for their format only: whether they exist is checked when the application is
approved (:mod:`portal.backoffice.applying`), so the form tells nobody which IDs exist.
The change entries reuse the access entries of the add-new-user kind (``AccessStep``) with an
action (add or remove) and only the countries where access changes are possible.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.enrollment import rules
from portal.enrollment.approvers import ApproversStep, remove_posted_user
from portal.enrollment.engine import (
    Ctx,
    Errors,
    Kind,
    ReviewStep,
    Step,
    register,
)
from portal.enrollment.forms import ChangeApplicantForm, ChangeBase, ChangeUserForm
from portal.enrollment.kinds.new_user_access import AccessStep
from portal.enrollment.step_helpers import action_urls as _action_url
from portal.enrollment.step_helpers import field_value as _get
from portal.enrollment.step_helpers import posted_rows as _indexes
from portal.enrollment.step_helpers import users_step_context

ACTIONS = ("add", "remove")
APPLICANT_TEXT = ("family_name", "given_name", "email", "phone", "company")


def user_label(user: Mapping[str, Any], index: int) -> str:
    user_id = rules.normalize(user.get("user_id"))
    if user_id:
        return _("User %(number)d: %(user_id)s", number=index + 1, user_id=user_id)
    return _("User %(number)d", number=index + 1)


def parse_applicant(form, old: Mapping[str, Any] | None, names) -> dict[str, Any]:
    applicant = dict(old or {})
    for name in names:
        applicant[name] = rules.tidy(name, _get(form, f"applicant-{name}"))
    applicant["user_id"] = rules.normalize(applicant.get("user_id")) or None
    return applicant


def finalized_applicant(applicant: Mapping[str, Any], mode: str | None) -> dict[str, Any]:
    return {
        "mode": mode, "user_id": rules.normalize(applicant.get("user_id")) or None,
        **{name: (applicant.get(name) or "").strip() for name in APPLICANT_TEXT},
    }


# --- step 1: who applies and the users' IDs -----------------------------------------------

class ChangeUsersStep(Step):
    key = "users"
    label = _l("User information")
    template = "enrollment/kinds/change_users.html"
    actions = {"add-user": "add_user", "remove-user": "remove_user"}

    def parse(self, ctx: Ctx, form, files) -> None:
        ctx.data["applicant"] = parse_applicant(form, ctx.data.get("applicant"),
                                                ("mode", "user_id", *APPLICANT_TEXT))
        old = ctx.data.get("users") or []
        users = []
        for i in range(_indexes(form, "u{n}-user_id")):
            user = dict(old[i]) if i < len(old) else {}
            user["user_id"] = rules.normalize(_get(form, f"u{i}-user_id"))
            user.setdefault("changes", [])
            users.append(user)
        if users or "users" not in ctx.data:
            ctx.data["users"] = users or [{"user_id": "", "changes": []}]

    def validate(self, ctx: Ctx) -> Errors:
        a = "applicant-"
        applicant = ctx.data.get("applicant") or {}
        errors: Errors = {}
        mode = applicant.get("mode")
        if mode not in ("pa", "other"):
            errors[a + "mode"] = _("Choose who is applying.")
        if mode == "pa" or applicant.get("user_id"):
            problem = rules.user_id_format_problem(applicant.get("user_id"))
            if problem:
                errors[a + "user_id"] = problem if applicant.get("user_id") else _(
                    "Enter your user ID: a Program Administrator changing access needs it.")
        errors.update(rules.applicant_problems(applicant))
        seen: dict[str, int] = {}
        for i, user in enumerate(ctx.data.get("users") or []):
            field_id = f"u{i}-user_id"
            problem = rules.user_id_format_problem(user.get("user_id"))
            if problem:
                errors[field_id] = problem
                continue
            folded = user["user_id"].casefold()
            if folded in seen:
                errors[field_id] = _("User %(number)d has the same user ID. Put all of a "
                                     "user's changes under one user.", number=seen[folded] + 1)
            seen.setdefault(folded, i)
        return errors

    # --- rendering
    def applicant_form(self, ctx: Ctx) -> ChangeApplicantForm:
        return ChangeApplicantForm(data=ctx.data.get("applicant") or {}, prefix="applicant-")

    @staticmethod
    def user_form(i: int, user: Mapping[str, Any]) -> ChangeUserForm:
        return ChangeUserForm(data={"user_id": user.get("user_id") or ""}, prefix=f"u{i}-")

    def context(self, ctx: Ctx, errors: Errors) -> dict[str, Any]:
        users = ctx.data.get("users") or [{}]
        return users_step_context(self.applicant_form(ctx),
                                  [self.user_form(i, u) for i, u in enumerate(users)])

    def add_user(self, ctx: Ctx):
        """A new, empty user block with the next index (nothing written)."""
        from flask import request

        i = _indexes(request.form, "u{n}-user_id")
        return render_template("enrollment/kinds/_change_user_block.html",
                               form=self.user_form(i, {}), i=i, errors={}, fresh=True,
                               action_url=_action_url(ctx, self))

    def remove_user(self, ctx: Ctx):
        index = remove_posted_user(ctx, self)
        forms = [self.user_form(i, u) for i, u in enumerate(ctx.data["users"])]
        return render_template("enrollment/kinds/_change_users_list.html", user_forms=forms,
                               errors={}, action_url=_action_url(ctx, self),
                               focus=min(index, len(forms) - 1))


# --- step 2: the access changes of each user -------------------------------------------------

class ChangesStep(AccessStep):
    key = "changes"
    label = _l("Access changes")
    template = "enrollment/kinds/change_changes.html"
    entries_key = "changes"
    entry_template = "enrollment/kinds/_change_entry.html"
    list_template = "enrollment/kinds/_change_list.html"
    summary_testid = "change-summary"
    form_base = ChangeBase

    def countries(self, ctx: Ctx):
        """Only the countries where existing users' access can be changed."""
        return tuple(c for c in ctx.ref.countries if c.access_changes)

    def user_label(self, user: Mapping[str, Any], i: int) -> str:
        return user_label(user, i)

    def entry_label(self, i: int, j: int) -> str:
        return _("User %(user)d, change %(number)d", user=i + 1, number=j + 1)

    def missing_message(self, user: Mapping[str, Any], i: int) -> str:
        return _("Add at least one change for %(user)s.", user=self.user_label(user, i))

    @staticmethod
    def entry_key(entry: Mapping[str, Any]) -> tuple:
        return (entry.get("country"), entry.get("control_group"), entry.get("action"))

    def duplicate_message(self, first: int) -> str:
        return _("Change %(number)d already has this country, control group number and "
                 "action. Choose the functions there instead.", number=first + 1)

    def parse_entry(self, ctx: Ctx, form, p: str) -> dict[str, Any]:
        entry = super().parse_entry(ctx, form, p)
        action = _get(form, p + "action")
        entry["action"] = action if action in ACTIONS else ""
        if entry["action"] == "remove":
            # A removed function goes whatever its role: no role is asked or kept.
            for item in entry["functions"]:
                item["role"] = None
        return entry

    def entry_errors(self, ctx: Ctx, i: int, j: int, entry: Mapping[str, Any]) -> Errors:
        errors = super().entry_errors(ctx, i, j, entry)
        if entry.get("action") == "remove":
            errors = {key: message for key, message in errors.items()
                      if not key.startswith(f"u{i}-a{j}-role_")}
        if entry.get("action") not in ACTIONS:
            errors[f"u{i}-a{j}-action"] = _("Choose Add or Remove.")
        return errors

    def entry_form(self, ctx: Ctx, i: int, j: int, entry: Mapping[str, Any], *,
                   rest: str | None = None):
        form = super().entry_form(ctx, i, j, entry, rest=rest)
        form.action.data = entry.get("action") or ""
        return form

    def entry_summary(self, ctx: Ctx, entry: Mapping[str, Any]) -> str:
        text = super().entry_summary(ctx, entry)
        action = {"add": _("Add"), "remove": _("Remove")}.get(entry.get("action") or "")
        return f"{action} · {text}" if action else text


# --- step 3: approvers ---------------------------------------------------------------------------

class ChangeApprovers(ApproversStep):
    template = "enrollment/kinds/change_approvers.html"

    def entries(self, user: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        return user.get("changes") or []

    def user_label(self, user: Mapping[str, Any], index: int) -> str:
        return user_label(user, index)

    def context(self, ctx: Ctx, errors: Errors) -> dict[str, Any]:
        """An existing Program Administrator approves their own change: where no approver
        was entered yet, their details are filled in (shown only; saved with the form)."""
        applicant = ctx.data.get("applicant") or {}
        if applicant.get("mode") == "pa":
            approvers = list(ctx.data.get("approvers") or [])
            have = {(a.get("country"), a.get("user")) for a in approvers}
            for country, i in self.pairs(ctx):
                if (country, i) not in have:
                    approvers.append({
                        "country": country, "user": i, "user_id": applicant.get("user_id"),
                        **{name: applicant.get(name) or "" for name in
                           ("family_name", "given_name", "email", "phone")},
                    })
            ctx.data["approvers"] = approvers
        return {**super().context(ctx, errors), "applicant_mode": applicant.get("mode")}


# --- the kind ------------------------------------------------------------------------------------

class ChangeUser(Kind):
    name = "change"
    letter = "C"
    title = _l("Change a user")
    intro = _l("Add or remove functions and control groups for people who already have a "
               "portal user ID: their user IDs, the changes in each country, and who "
               "approves them.")
    steps = (
        ChangeUsersStep(), ChangesStep(), ChangeApprovers(),
        ReviewStep(back=(("approvers", _l("Return to approver details")),
                         ("users", _l("Back to user information")))),
    )
    section_steps = {"applicant": "users", "user": "users", "access": "changes",
                     "approver": "approvers"}
    done_notes = "enrollment/kinds/change_done_notes.html"

    def initial_data(self, language: str) -> dict[str, Any]:
        return {"applicant": {"mode": ""}, "users": [{"user_id": "", "changes": []}],
                "approvers": []}

    def finalize(self, ctx: Ctx) -> dict[str, Any]:
        data = ctx.data
        users = [
            {"user_id": rules.normalize(user.get("user_id")),
             "changes": [{"country": e["country"], "action": e["action"],
                          "control_group": e["control_group"],
                          "functions": [{"function": f["function"], "role": f.get("role")}
                                        for f in e["functions"]]}
                         for e in user.get("changes") or []]}
            for user in data.get("users") or []
        ]
        live = set(self.steps[2].pairs(ctx))
        approvers = [
            {"country": a["country"], "user": a["user"], "family_name": a["family_name"],
             "given_name": a["given_name"], "email": a["email"], "phone": a["phone"],
             "user_id": a.get("user_id") or None, "agreed_at": a["agreed_at"]}
            for a in data.get("approvers") or [] if (a.get("country"), a.get("user")) in live
        ]
        applicant = data.get("applicant") or {}
        return {"applicant": finalized_applicant(applicant, applicant.get("mode")),
                "users": users, "approvers": approvers}


register(ChangeUser())
