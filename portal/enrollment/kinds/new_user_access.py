"""Add new user, step 2 (ENR-3.c): the access entries of each user.

Per user, entries of country, functions (with a role where the function asks for one) and
control group number, added, reloaded (choosing a country reloads that entry's functions)
and removed in place with htmx; field ids are ``u<i>-a<j>-<name>``. The change kind reuses
:class:`AccessStep` for its change entries through its hooks (``kinds/change_user.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.enrollment import drafts, rules
from portal.enrollment.engine import Ctx, Errors, Step
from portal.enrollment.forms import AccessBase, access_form_class
from portal.enrollment.kinds.new_user_users import user_label
from portal.enrollment.step_helpers import action_urls as _action_url
from portal.enrollment.step_helpers import field_value as _get
from portal.enrollment.step_helpers import posted_rows as _indexes
from portal.enrollment.step_helpers import prefixed_labels as _prefixed
from portal.forms import choices

# New, empty entries rendered by "add-access", per class, language, indexes and reference
# data (see :meth:`AccessStep.add_access`).
_fresh_entries: dict[tuple, str] = {}

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
