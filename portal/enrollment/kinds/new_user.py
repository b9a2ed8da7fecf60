"""Add new user (ENR-3): user information, access, approvers, review.

Data shape: ``Draft.data`` of kind ``new`` in :mod:`portal.enrollment.models`. Field ids are
made from row indexes by the server (``u0-family_name``, ``u0-a1-country``,
``ap-JP-0-0-email``); a removal renumbers the rows and re-renders them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.enrollment import documents, drafts, rules, services
from portal.enrollment.approvers import ApproversStep, drop_user
from portal.enrollment.engine import (
    Ctx,
    Errors,
    Kind,
    ReviewStep,
    Step,
    register,
)
from portal.enrollment.forms import (
    AccessBase,
    ApplicantForm,
    UserForm,
    access_form_class,
)
from portal.enrollment.step_helpers import action_urls as _action_url
from portal.enrollment.step_helpers import field_value as _get
from portal.enrollment.step_helpers import posted_rows as _indexes
from portal.enrollment.step_helpers import prefixed_labels as _prefixed
from portal.enrollment.step_helpers import users_step_context
from portal.forms import choices
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


# --- step 1: who applies and the users -----------------------------------------------------

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
        from flask import request

        self.parse(ctx, request.form, request.files)
        try:
            index = int(request.form.get("user", ""))
        except ValueError:
            index = -1
        if drop_user(ctx, index):
            _renumber_documents(ctx, index)
        drafts.save(ctx.session, ctx.draft, ctx.data)
        ctx.session.commit()
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


_fresh_entries: dict[tuple, str] = {}


# --- step 2: access entries ------------------------------------------------------------------

class AccessStep(Step):
    """Per user, entries of country, functions (roles) and control group. The change kind
    reuses it for its change entries: it overrides the hooks below (which list of the user,
    which countries, which templates, the form's base class) and ``parse_entry`` /
    ``entry_errors`` for what its entries add."""

    key = "access"
    label = _l("Access")
    template = "enrollment/kinds/new_access.html"
    actions = {"add-access": "add_access", "remove-access": "remove_access",
               "functions": "functions"}
    entries_key: ClassVar[str] = "access"   # the user's list of entries in the data
    entry_template: ClassVar[str] = "enrollment/kinds/_access_entry.html"
    list_template: ClassVar[str] = "enrollment/kinds/_access_list.html"
    summary_testid: ClassVar[str] = "access-summary"  # the entry heading's summary
    form_base: ClassVar[type] = AccessBase

    def countries(self, ctx: Ctx):
        """The countries an entry may name."""
        return ctx.ref.countries

    def user_label(self, user: Mapping[str, Any], i: int) -> str:
        return user_label(user, i)

    def entry_label(self, i: int, j: int) -> str:
        """Whose entry an error is about, in the error summary."""
        return _("User %(user)d, access %(number)d", user=i + 1, number=j + 1)

    def missing_message(self, user: Mapping[str, Any], i: int) -> str:
        return _("Add at least one access entry for %(user)s.", user=self.user_label(user, i))

    @staticmethod
    def entry_key(entry: Mapping[str, Any]) -> tuple:
        """Two entries of a user with the same key are one too many."""
        return (entry.get("country"), entry.get("control_group"))

    def duplicate_message(self, first: int) -> str:
        return _("Access %(number)d already has this country and control group number. "
                 "Choose the functions there instead.", number=first + 1)

    @staticmethod
    def parse_entry(ctx: Ctx, form, p: str) -> dict[str, Any]:
        country = ctx.ref.country(_get(form, p + "country"))
        code = country.code if country else _get(form, p + "country").upper()
        offered = {f.code: f for f in ctx.ref.country_functions(code)}
        chosen = form.getlist(p + "functions") if hasattr(form, "getlist") else []
        functions = []
        for function_code in chosen:
            function = offered.get(function_code)
            if function is None:
                continue
            role = _get(form, f"{p}role_{function_code}") if function.asks_for_role else ""
            functions.append({"function": function_code,
                              "role": role if function.role(role) else None})
        rest = rules.digits(_get(form, p + "cg_rest"))
        prefix = country.cg_prefix if country else ""
        return {"country": code, "control_group": (prefix + rest) if rest else "",
                "functions": functions}

    def parse(self, ctx: Ctx, form, files) -> None:
        for i, user in enumerate(ctx.data.get("users") or []):
            count = _indexes(form, f"u{i}-a{{n}}-country")
            if count == 0 and f"u{i}-access-present" not in form:
                continue  # this user's entries were not on the page
            user[self.entries_key] = [self.parse_entry(ctx, form, f"u{i}-a{j}-")
                                      for j in range(count)]

    def entry_errors(self, ctx: Ctx, i: int, j: int, entry: Mapping[str, Any]) -> Errors:
        errors: Errors = {}
        p = f"u{i}-a{j}-"
        country = ctx.ref.country(entry.get("country"))
        if country is None or country not in self.countries(ctx):
            errors[p + "country"] = _("Choose the country.")
            return errors
        functions = entry.get("functions") or []
        if not functions:
            errors[p + "functions"] = _("Choose at least one function.")
        for item in functions:
            function = ctx.ref.function(item.get("function"))
            if function is not None and function.asks_for_role and not item.get("role"):
                errors[f"{p}role_{function.code}"] = _(
                    "Choose the role for %(function)s.", function=function.name())
        control_group = entry.get("control_group") or ""
        rest = control_group[len(country.cg_prefix):] if control_group.startswith(
            country.cg_prefix) else control_group
        problem = rules.control_group_problem(rest, country.cg_rest_length)
        if problem:
            errors[p + "cg_rest"] = problem
        return errors

    def validate(self, ctx: Ctx) -> Errors:
        errors: Errors = {}
        for i, user in enumerate(ctx.data.get("users") or []):
            entries = user.get(self.entries_key) or []
            if not entries:
                errors[f"u{i}-access"] = self.missing_message(user, i)
            seen = {}
            for j, entry in enumerate(entries):
                entry_problems = self.entry_errors(ctx, i, j, entry)
                errors.update(entry_problems)
                key = self.entry_key(entry)
                if not entry_problems and key in seen:
                    errors[f"u{i}-a{j}-cg_rest"] = self.duplicate_message(seen[key])
                seen.setdefault(key, j)
        return errors

    # --- rendering
    def entry_form(self, ctx: Ctx, i: int, j: int, entry: Mapping[str, Any],
                   *, rest: str | None = None) -> AccessBase:
        country = ctx.ref.country(entry.get("country"))
        offered = ctx.ref.country_functions(country.code) if country else []
        with_roles = tuple((f.code, tuple((r.code, r.name_ja, r.name_en) for r in f.roles))
                           for f in offered if f.asks_for_role)
        cls = access_form_class(tuple((code, ()) for code, _roles in with_roles),
                                self.form_base)
        control_group = entry.get("control_group") or ""
        if rest is None:
            rest = control_group[len(country.cg_prefix):] if country and control_group.startswith(
                country.cg_prefix) else control_group
        values = {"country": entry.get("country") or "", "cg_rest": rest,
                  "functions": [f.get("function") for f in entry.get("functions") or []]}
        for item in entry.get("functions") or []:
            if item.get("role"):
                values[f"role_{item['function']}"] = item["role"]
        form = cls(data=values, prefix=f"u{i}-a{j}-")
        form.country.choices = choices([(c.code, c.name()) for c in self.countries(ctx)],
                                       placeholder=_("Choose a country"))
        form.functions.choices = choices([(f.code, f.name()) for f in offered])
        for function in offered:
            if function.asks_for_role:
                field = form[f"role_{function.code}"]
                field.label.text = _("Role in %(function)s", function=function.name())
                field.choices = choices([(r.code, r.name()) for r in function.roles],
                                        placeholder=_("Choose a role"))
        form.country_info = country
        form.role_fields = [form[f"role_{f.code}"] for f in offered if f.asks_for_role]
        return form

    def entry_summary(self, ctx: Ctx, entry: Mapping[str, Any]) -> str:
        from portal.enrollment.summary import functions_text

        country = ctx.ref.country(entry.get("country"))
        parts = [country.name() if country else _("Country not chosen")]
        if entry.get("control_group"):
            parts.append(entry["control_group"])
        text = functions_text(ctx.ref, entry.get("functions") or [], ctx.language)
        if text:
            parts.append(text)
        return " · ".join(parts)

    def user_entries(self, ctx: Ctx, i: int, errors: Errors, *, open_all: bool = False):
        user = (ctx.data.get("users") or [])[i]
        result = []
        for j, entry in enumerate(user.get(self.entries_key) or []):
            form = self.entry_form(ctx, i, j, entry)
            prefix = f"u{i}-a{j}-"
            has_error = any(key.startswith(prefix) for key in errors)
            result.append({"j": j, "form": form, "summary": self.entry_summary(ctx, entry),
                           "open": open_all or has_error or not entry.get("country")})
        return result

    def context(self, ctx: Ctx, errors: Errors) -> dict[str, Any]:
        users = []
        forms = []
        open_all = bool(errors)
        for i, user in enumerate(ctx.data.get("users") or []):
            entries = self.user_entries(ctx, i, errors, open_all=False)
            forms.extend(entry["form"] for entry in entries)
            users.append({"i": i, "label": self.user_label(user, i), "entries": entries})
        # "u{i}-access" (no entry yet) is left unlabelled: its message names the user.
        labels: dict[str, str] = {}
        for u in users:
            for entry in u["entries"]:
                labels.update(_prefixed([entry["form"]], self.entry_label(u["i"], entry["j"])))
        return {"users": users, "forms": forms, "open_all": open_all, "labels": labels}

    def _user_index(self, ctx: Ctx) -> int:
        from flask import abort, request

        try:
            i = int(request.values.get("user", ""))
        except ValueError:
            abort(400)
        if not 0 <= i < len(ctx.draft.data.get("users") or []):  # read only: no copy
            abort(400)
        return i

    def add_access(self, ctx: Ctx):
        """A new, empty entry for one user, with the next index (no write)."""
        from flask import request

        i = self._user_index(ctx)
        j = _indexes(request.values, f"u{i}-a{{n}}-country")
        # A new entry has no country yet (choosing one loads its functions with the
        # "functions" piece), so it depends only on the language, the indexes and the
        # reference data: rendered once per process and reused.
        key = (type(self).__name__, ctx.language, i, j, id(ctx.ref))
        html = _fresh_entries.get(key)
        if html is None:
            entry = {"country": "", "functions": [], "control_group": ""}
            form = self.entry_form(ctx, i, j, entry)
            html = render_template(self.entry_template, i=i, entry={
                "j": j, "form": form, "summary": self.entry_summary(ctx, entry),
                "open": True}, errors={}, action_url=_action_url(ctx, self), fresh=True)
            if len(_fresh_entries) > 512:
                _fresh_entries.clear()
            _fresh_entries[key] = html
        return html

    def remove_access(self, ctx: Ctx):
        from flask import request

        i = self._user_index(ctx)
        self.parse(ctx, request.form, request.files)
        try:
            j = int(request.values.get("entry", ""))
        except ValueError:
            j = -1
        access = ctx.data["users"][i].get(self.entries_key) or []
        if 0 <= j < len(access):
            access.pop(j)
        drafts.save(ctx.session, ctx.draft, ctx.data)
        ctx.session.commit()
        # The person is editing this list: show every remaining entry open.
        entries = self.user_entries(ctx, i, {}, open_all=True)
        return render_template(self.list_template, i=i, entries=entries,
                               errors={}, action_url=_action_url(ctx, self),
                               removed=True)

    def functions(self, ctx: Ctx):
        """The functions, roles and control group of one entry after its country changed."""
        from flask import request

        i = self._user_index(ctx)
        try:
            j = int(request.values.get("entry", ""))
        except ValueError:
            from flask import abort

            abort(400)
        p = f"u{i}-a{j}-"
        entry = self.parse_entry(ctx, request.form, p)
        form = self.entry_form(ctx, i, j, entry, rest=rules.digits(_get(request.form,
                                                                        p + "cg_rest")))
        html = render_template("enrollment/kinds/_access_functions.html", i=i, j=j, form=form,
                               errors={})
        # The entry's heading names the country now chosen (out of band).
        return html + render_template("enrollment/kinds/_entry_summary.html", i=i, j=j,
                                      summary=self.entry_summary(ctx, entry),
                                      testid=self.summary_testid, oob=True)


# --- step 3: approvers (the shared step, on the users' access entries) -----------------------

class NewApprovers(ApproversStep):
    def user_label(self, user: Mapping[str, Any], index: int) -> str:
        return user_label(user, index)


# --- the kind ---------------------------------------------------------------------------------

class NewUser(Kind):
    name = "new"
    letter = "N"
    title = _l("Add a new user")
    intro = _l("Apply for portal access for one or more people: their details, the access "
               "they need in each country, and who approves it.")
    steps = (
        UsersStep(), AccessStep(), NewApprovers(),
        ReviewStep(back=(("approvers", _l("Return to approver details")),
                         ("users", _l("Back to user information")))),
    )
    section_steps = {"applicant": "users", "user": "users", "access": "access",
                     "approver": "approvers", "documents": "approvers"}
    done_notes = "enrollment/kinds/new_done_notes.html"

    def initial_data(self, language: str) -> dict[str, Any]:
        return {"applicant": {"mode": "employee"}, "users": [{"access": []}], "approvers": []}

    def finalize(self, ctx: Ctx) -> dict[str, Any]:
        data = ctx.data
        applicant = data.get("applicant") or {}
        users = []
        for i, user in enumerate(data.get("users") or []):
            address = user.get("address") if UsersStep.needs_address(data, i) else None
            if address:
                address = {**address,
                           "postal_code": rules.normalize_postal_code(address.get("postal_code"))}
            users.append({
                "family_name": user["family_name"].strip(),
                "given_name": user["given_name"].strip(),
                "email": user["email"].strip(),
                "country": user["country"],
                "birth_day": int(user["birth_day"]), "birth_month": int(user["birth_month"]),
                "birth_year": int(user["birth_year"]) if user.get("birth_year") else None,
                "auth_pin": user.get("auth_pin") or None,
                "auth_word": user.get("auth_word") or None,
                "program_role": user.get("program_role") or "user",
                "address": address,
                "access": [{"country": e["country"], "control_group": e["control_group"],
                            "functions": [{"function": f["function"], "role": f.get("role")}
                                          for f in e["functions"]]}
                           for e in user.get("access") or []],
            })
        live = set(self.steps[2].pairs(ctx))
        approvers = [
            {"country": a["country"], "user": a["user"], "family_name": a["family_name"],
             "given_name": a["given_name"], "email": a["email"], "phone": a["phone"],
             "user_id": a.get("user_id") or None, "agreed_at": a["agreed_at"]}
            for a in data.get("approvers") or [] if (a.get("country"), a.get("user")) in live
        ]
        return {
            "applicant": {
                "mode": applicant.get("mode"), "user_id": applicant.get("user_id") or None,
                "family_name": applicant.get("family_name", ""),
                "given_name": applicant.get("given_name", ""),
                "email": applicant.get("email", ""), "phone": applicant.get("phone", ""),
                "company": applicant.get("company", ""),
            },
            "users": users,
            "approvers": approvers,
        }


register(NewUser())
