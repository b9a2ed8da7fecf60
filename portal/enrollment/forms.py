"""Forms of the add-new-user application. They render fields (with the one field macro)
and read posted values; the rules are in :mod:`portal.enrollment.rules` and the step
classes, which work on the draft's data. Every form has a prefix made by the server from
the row's index (``u0-``, ``u0-a1-``), so removals renumber consistently."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    FileField,
    Form,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.widgets import Select, core

from portal.accounts.forms import month_choices
from portal.forms import MultiCheckboxField, choices
from portal.i18n import localized
from portal.reference.postal import PREFECTURES

_REQ = [InputRequired()]  # sets the "required" flag for the field macro; rules check values


class QuickSelect(Select):
    """The standard select, with its options written directly: the wizard's pages carry a
    few hundred options (countries, days, months, prefectures) and WTForms' per-option
    rendering was most of their cost. Same markup, same escaping.

    A plain list of choices (string values, no per-option attributes or groups, ``str``
    coercion) has its options written once per process for each list of values and labels
    (so once per language) and kept (:data:`_OPTIONS`); a page then only marks the chosen
    one. Anything else is rendered option by option."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        value = choice.value
        if isinstance(value, bool):
            value = str(value)
        selected = " selected" if choice.selected else ""
        return Markup(f'<option{selected} value="{escape(value)}">'
                      f"{escape(str(choice.label or choice.value))}</option>")

    def __call__(self, field, **kwargs):
        options = None if self.multiple or field.coerce is not str else _kept_options(field)
        if options is None:
            return super().__call__(field, **kwargs)
        written, where = options
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        html = [f"<select {core.html_params(name=field.name, **kwargs)}>", *written,
                "</select>"]
        if isinstance(field.data, str):
            for i in where.get(field.data, ()):
                html[i + 1] = html[i + 1].replace("<option ", "<option selected ", 1)
        return Markup("".join(html))


# (value, label) of every option of a select -> its options written unselected, and where
# each value stands. Bounded: the lists come from the reference data, a few per language.
_OPTIONS: dict[tuple, tuple[list[str], dict[str, list[int]]]] = {}
_OPTIONS_MAX = 256


def _kept_options(field) -> tuple[list[str], dict[str, list[int]]] | None:
    raw = field.choices
    if not isinstance(raw, list):
        return None
    key = []
    for c in raw:
        if (type(c) is not SelectChoice or type(c.value) is not str or c.render_kw
                or c.optgroup is not None):
            return None
        key.append((c.value, str(c.label or c.value)))
    key = tuple(key)
    found = _OPTIONS.get(key)
    if found is None:
        written = [f'<option value="{escape(value)}">{escape(label)}</option>'
                   for value, label in key]
        where: dict[str, list[int]] = {}
        for i, (value, _label) in enumerate(key):
            where.setdefault(value, []).append(i)
        if len(_OPTIONS) >= _OPTIONS_MAX:
            _OPTIONS.clear()
        found = _OPTIONS[key] = (written, where)
    return found


def _select(label, **kwargs) -> SelectField:
    return SelectField(label, widget=QuickSelect(), validate_choice=False, **kwargs)


class ApplicantForm(Form):
    mode = RadioField(_l("Who is applying?"), validators=_REQ, choices=choices([
        ("employee", _l("I am applying for an employee (or several)")),
        ("self", _l("I am a registered Program Administrator applying for myself")),
    ]))
    user_id = StringField(_l("Your user ID"))
    family_name = StringField(_l("Family name"), validators=_REQ)
    given_name = StringField(_l("Given name"), validators=_REQ)
    email = StringField(_l("Email address"), validators=_REQ, render_kw={
        "type": "email", "autocomplete": "email", "inputmode": "email"})
    phone = StringField(_l("Phone number"), validators=_REQ, render_kw={
        "type": "tel", "autocomplete": "tel", "inputmode": "tel"})
    company = StringField(_l("Company name"), validators=_REQ,
                          render_kw={"autocomplete": "organization"})


class ChangeApplicantForm(ApplicantForm):
    """The applicant of a change-user application (ENR-4): an existing Program Administrator
    or someone changing another user's access."""

    mode = RadioField(_l("Who is applying?"), validators=_REQ, choices=choices([
        ("pa", _l("I am an existing Program Administrator changing access")),
        ("other", _l("I am changing another user's access (I am not a Program Administrator)")),
    ]))


class DeleteApplicantForm(ApplicantForm):
    """The registered Program Administrator asking for a deletion (ENR-5)."""

    mode = None
    user_id = StringField(_l("Your user ID"), validators=_REQ, render_kw={
        "autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})


class UserForm(Form):
    family_name = StringField(_l("Family name"), validators=_REQ,
                              render_kw={"autocomplete": "off"})
    given_name = StringField(_l("Given name"), validators=_REQ, render_kw={"autocomplete": "off"})
    email = StringField(_l("Email address"), validators=_REQ, render_kw={
        "type": "email", "autocomplete": "off", "inputmode": "email"})
    country = _select(_l("Country of residence or main country of work"), validators=_REQ,
                      render_kw={"data-country": "1"})
    birth_day = _select(_l("Day"), validators=_REQ)
    birth_month = _select(_l("Month"), validators=_REQ)
    birth_year = StringField(_l("Year"), render_kw={"inputmode": "numeric", "maxlength": "4",
                                                    "autocomplete": "off"})
    auth_pin = StringField(_l("Auth PIN"), render_kw={"inputmode": "numeric",
                                                      "autocomplete": "off"})
    auth_word = StringField(_l("Auth word"), render_kw={"autocomplete": "off"})
    new_role = BooleanField(_l("Also register this person as a new Program Administrator or "
                               "contact"))
    program_role = RadioField(_l("Register them as"), choices=choices([
        ("contact", _l("Contact")), ("pa", _l("Program Administrator")),
    ]), validate_choice=False)
    postal_code = StringField(_l("Postal code"), validators=_REQ, render_kw={
        "inputmode": "numeric", "autocomplete": "off"})
    prefecture = _select(_l("Prefecture"), validators=_REQ)
    city = StringField(_l("City, ward, town or village"), validators=_REQ)
    street = StringField(_l("Street address"), validators=_REQ)
    building = StringField(_l("Building and room"))

    def setup(self, countries) -> UserForm:
        self.country.choices = choices([(c.code, c.name()) for c in countries],
                                       placeholder=str(_l("Choose a country")))
        self.birth_day.choices = choices([(str(d), str(d)) for d in range(1, 32)],
                                         placeholder=str(_l("Day")))
        self.birth_month.choices = choices(month_choices(), placeholder=str(_l("Month")))
        self.prefecture.choices = choices([(p, p) for p in PREFECTURES],
                                          placeholder=str(_l("Choose a prefecture")))
        return self


class AccessBase(Form):
    country = _select(_l("Country"), validators=_REQ)
    functions = MultiCheckboxField(_l("Functions"), validators=_REQ, validate_choice=False)
    cg_rest = StringField(_l("Control group number"), validators=_REQ, render_kw={
        "inputmode": "numeric", "autocomplete": "off"})


class ChangeBase(AccessBase):
    """A change entry of the change-user application (ENR-4): an access entry and whether
    it is added or removed."""

    action = RadioField(_l("Action"), validators=_REQ, validate_choice=False, choices=choices([
        ("add", _l("Add: give this user ID the chosen functions in this country")),
        ("remove", _l("Remove: take the chosen functions away from this user ID")),
    ]))


class ChangeUserForm(Form):
    user_id = StringField(_l("Registered user ID"), validators=_REQ, render_kw={
        "autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})


class DeleteForm(Form):
    user_id = StringField(_l("User ID to delete"), validators=_REQ, render_kw={
        "autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
    reason = _select(_l("Reason for deleting"), validators=_REQ)
    reason_note = TextAreaField(_l("Details"), render_kw={"rows": "3", "maxlength": "500"})


@lru_cache(maxsize=64)
def access_form_class(role_functions: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...],
                      base: type = AccessBase):
    """An access form with one role field per function that has approval roles (the set
    depends on the country, so classes are made and cached per set and base)."""
    fields = {}
    for code, roles in role_functions:
        fields[f"role_{code}"] = _select(
            _l("Role"),
            choices=choices([(r, localized({"ja": ja, "en": en})) for r, ja, en in roles],
                            placeholder=str(_l("No approval role"))),
        )
    return type("AccessForm", (base,), fields)


class ApproverForm(Form):
    family_name = StringField(_l("Family name"), validators=_REQ)
    given_name = StringField(_l("Given name"), validators=_REQ)
    email = StringField(_l("Email address"), validators=_REQ, render_kw={
        "type": "email", "inputmode": "email"})
    phone = StringField(_l("Phone number"), validators=_REQ, render_kw={
        "type": "tel", "inputmode": "tel"})
    user_id = StringField(_l("Approver's user ID"))
    agree = BooleanField(_l("The approver agrees to the terms of use"), validators=_REQ)


class DocumentForm(Form):
    document = FileField(_l("Supporting document"), render_kw={
        "accept": "application/pdf,image/jpeg,image/png"})
