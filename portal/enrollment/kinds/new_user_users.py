"""Add new user, step 1 (ENR-3.a, ENR-3.b): who applies and the users to add.

The applicant (for themselves or for an employee, with their user ID when registered) and
one block per user: name, email, country, birthday or PIN and auth word, a new Program
Administrator or contact role, and the home address where Japan is the main country. Field
ids are ``applicant-<name>`` and ``u<i>-<name>``; removing a user renumbers the blocks, the
approvers and the documents of the later users. :func:`user_label` is how the other steps
of the kind name a user.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.enrollment import documents, rules, services
from portal.enrollment.approvers import remove_posted_user
from portal.enrollment.engine import Ctx, Errors, Step
from portal.enrollment.forms import ApplicantForm, UserForm
from portal.enrollment.step_helpers import action_urls as _action_url
from portal.enrollment.step_helpers import field_value as _get
from portal.enrollment.step_helpers import posted_rows as _indexes
from portal.enrollment.step_helpers import users_step_context
from portal.i18n import person_name

TEXT = ("family_name", "given_name", "email")
ADDRESS = ("postal_code", "prefecture", "city", "street", "building")


def _int_or_raw(value: str) -> int | str | None:
    value = rules.normalize(value)
    if not value:
        return None
    return int(value) if value.isdigit() else value


def user_label(user: Mapping[str, Any], index: int) -> str:
    name = person_name(user.get("family_name") or "", user.get("given_name") or "")
    if name:
        return _("User %(number)d: %(name)s", number=index + 1, name=name)
    return _("User %(number)d", number=index + 1)


class UsersStep(Step):
    key = "users"
    label = _l("User information")
    template = "enrollment/kinds/new_users.html"
    actions = {"add-user": "add_user", "remove-user": "remove_user"}

    def parse(self, ctx: Ctx, form, files) -> None:
        applicant = dict(ctx.data.get("applicant") or {})
        for name in ("mode", "user_id", "family_name", "given_name", "email", "phone",
                     "company"):
            applicant[name] = rules.tidy(name, _get(form, f"applicant-{name}"))
        applicant["user_id"] = rules.normalize(applicant["user_id"]) or None
        ctx.data["applicant"] = applicant
        old = ctx.data.get("users") or []
        users = []
        for i in range(_indexes(form, "u{n}-family_name")):
            user = dict(old[i]) if i < len(old) else {"access": []}
            p = f"u{i}-"
            for name in TEXT:
                user[name] = rules.tidy(name, _get(form, p + name))
            user["country"] = _get(form, p + "country").upper()
            user["birth_day"] = _int_or_raw(_get(form, p + "birth_day"))
            user["birth_month"] = _int_or_raw(_get(form, p + "birth_month"))
            user["birth_year"] = _int_or_raw(_get(form, p + "birth_year"))
            user["auth_pin"] = rules.normalize(_get(form, p + "auth_pin")) or None
            user["auth_word"] = rules.normalize(_get(form, p + "auth_word")) or None
            role = _get(form, p + "program_role") if form.get(p + "new_role") else ""
            user["new_role"] = bool(form.get(p + "new_role"))
            user["program_role"] = role if role in ("pa", "contact") else "user"
            if user["new_role"] and not role:
                user["program_role"] = ""  # ticked, no choice yet: validation asks
            address = {name: _get(form, p + name) for name in ADDRESS}
            user["address"] = address if any(address.values()) else None
            user.setdefault("access", [])
            users.append(user)
        if users or "users" not in ctx.data:
            ctx.data["users"] = users or [{"access": []}]

    def validate(self, ctx: Ctx) -> Errors:
        errors: Errors = {}
        data = ctx.data
        applicant = data.get("applicant") or {}
        a = "applicant-"
        if applicant.get("mode") not in ("self", "employee"):
            errors[a + "mode"] = _("Choose who is applying.")
        errors.update(rules.applicant_problems(applicant, a))
        applicant_role = None
        if applicant.get("user_id"):
            problem = rules.user_id_format_problem(applicant["user_id"])
            applicant_role = None if problem else services.registered_role(
                ctx.session, applicant["user_id"])
            if problem:
                errors[a + "user_id"] = problem
            elif applicant_role not in ("pa", "contact"):
                errors[a + "user_id"] = _(
                    "We cannot find a registered Program Administrator or contact with this "
                    "user ID. Check it, or leave it empty if you are not registered.")
        if (applicant.get("mode") == "self" and applicant_role != "pa"
                and a + "user_id" not in errors):
            errors[a + "user_id"] = _(
                "Only a registered Program Administrator can apply for themselves. Enter your "
                "user ID, or choose to apply for an employee.")
        seen_emails: dict[str, int] = {}
        for i, user in enumerate(data.get("users") or []):
            p = f"u{i}-"
            for name, which in (("family_name", "family"), ("given_name", "given")):
                problem = rules.name_problem(user.get(name), which)
                if problem:
                    errors[p + name] = problem
            problem = rules.email_problem(user.get("email"))
            if problem:
                errors[p + "email"] = problem
            else:
                folded = user["email"].strip().casefold()
                if folded in seen_emails:
                    errors[p + "email"] = _("User %(number)d has the same email address. Each "
                                            "user needs their own.", number=seen_emails[folded] + 1)
                seen_emails.setdefault(folded, i)
            if ctx.ref.country(user.get("country")) is None:
                errors[p + "country"] = _("Choose the country.")
            for name, message in rules.birthday_problems(
                    user.get("birth_day"), user.get("birth_month"), user.get("birth_year")).items():
                errors[p + name] = message
            for name, message in rules.pin_word_problems(
                    user.get("auth_pin"), user.get("auth_word")).items():
                errors[p + name] = message
            role = user.get("program_role")
            if user.get("new_role") and role not in ("pa", "contact"):
                errors[p + "program_role"] = _("Choose Program Administrator or contact.")
            elif role == "pa" and applicant_role != "pa":
                errors[p + "program_role"] = _(
                    "Only a registered Program Administrator can register a new Program "
                    "Administrator. Enter your user ID under \"Applicant\", or ask your Program "
                    "Administrator to apply.")
            elif role == "contact" and applicant_role not in ("pa", "contact"):
                errors[p + "program_role"] = _(
                    "Only a registered Program Administrator or contact can register a new "
                    "contact. Enter your user ID under \"Applicant\", or ask them to apply.")
            if self.needs_address(data, i):
                address = user.get("address") or {}
                problem = rules.postal_code_problem(address.get("postal_code"))
                if problem:
                    errors[p + "postal_code"] = problem
                if not address.get("prefecture"):
                    errors[p + "prefecture"] = _("Choose the prefecture.")
                if not address.get("city"):
                    errors[p + "city"] = _("Enter the city, ward, town or village.")
                if not address.get("street"):
                    errors[p + "street"] = _("Enter the street address.")
                for name in ("city", "street", "building"):
                    if p + name not in errors and rules.too_long(address.get(name)):
                        errors[p + name] = rules.too_long(address.get(name))
        return errors

    @staticmethod
    def needs_address(data: Mapping[str, Any], index: int) -> bool:
        """ENR-3.b: Japan as main country needs the home address, except for an
        already-registered PA applying for themselves (the first user)."""
        users = data.get("users") or []
        if index >= len(users) or (users[index].get("country") or "") != "JP":
            return False
        return not ((data.get("applicant") or {}).get("mode") == "self" and index == 0)

    # --- rendering
    def applicant_form(self, ctx: Ctx) -> ApplicantForm:
        return ApplicantForm(data=ctx.data.get("applicant") or {}, prefix="applicant-")

    def user_form(self, ctx: Ctx, i: int, user: Mapping[str, Any]) -> UserForm:
        values = {name: user.get(name) or "" for name in TEXT}
        values.update(
            country=user.get("country") or "",
            birth_day=str(user.get("birth_day") or ""),
            birth_month=str(user.get("birth_month") or ""),
            birth_year=str(user.get("birth_year") or ""),
            auth_pin=user.get("auth_pin") or "", auth_word=user.get("auth_word") or "",
            new_role=bool(user.get("new_role")),
            program_role=user.get("program_role") if user.get("program_role") in (
                "pa", "contact") else "",
        )
        values.update(user.get("address") or {})
        return UserForm(data=values, prefix=f"u{i}-").setup(ctx.ref.countries)

    def context(self, ctx: Ctx, errors: Errors) -> dict[str, Any]:
        users = ctx.data.get("users") or [{}]
        return users_step_context(self.applicant_form(ctx),
                                  [self.user_form(ctx, i, u) for i, u in enumerate(users)])

    def add_user(self, ctx: Ctx):
        from flask import request

        i = _indexes(request.form, "u{n}-family_name")
        form = self.user_form(ctx, i, {"country": ""})
        return render_template("enrollment/kinds/_new_user_block.html", form=form, i=i,
                               errors={}, count=i + 1, fresh=True, kind=ctx.kind,
                               action_url=_action_url(ctx, self))

    def remove_user(self, ctx: Ctx):
        index = remove_posted_user(ctx, self, lambda i: _renumber_documents(ctx, i))
        forms = [self.user_form(ctx, i, u) for i, u in enumerate(ctx.data["users"])]
        return render_template("enrollment/kinds/_new_users_list.html", user_forms=forms,
                               errors={}, kind=ctx.kind, action_url=_action_url(ctx, self),
                               focus=min(index, len(forms) - 1))


def _renumber_documents(ctx: Ctx, removed: int) -> None:
    for document in list(ctx.draft.documents):
        parts = document.purpose.split(":")
        if len(parts) != 3 or not parts[2].isdigit():
            continue
        number = int(parts[2])
        if number == removed:
            documents.delete_file(document.storage_name)
            ctx.session.delete(document)
        elif number > removed:
            document.purpose = f"{parts[0]}:{parts[1]}:{number - 1}"
    ctx.session.flush()
