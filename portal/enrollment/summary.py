"""Labelled summaries of application data, for people to read.

``sections(session, kind, data, language)`` turns ``Draft.data`` / ``Application.data`` (the
shape is in :mod:`portal.enrollment.models`) of any kind -- ``new``, ``change``, ``delete`` --
into titled sections of label/value rows. The review page, the confirmation page, the PDF
and the back office's application page all show these, so everyone sees the same words.

Each section has a ``group`` ("applicant", "user", "access", "approver", "deletion",
"documents") that a kind maps to the wizard step where it is entered
(``Kind.section_steps``), which gives the review its change links. Missing or incomplete
values (a draft) are shown as "Not entered" rather than failing.

The template macro ``enrollment/_summary.html:summary(sections)`` renders them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from babel.dates import format_skeleton
from flask_babel import force_locale, format_date, format_datetime
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from portal.enrollment import refdata
from portal.i18n import person_name


@dataclass
class Row:
    label: str
    value: str
    key: str = ""  # a stable name for data-testid, e.g. "email"


@dataclass
class Section:
    key: str  # stable and unique within the summary: "applicant", "user-0", "user-0-access-1"
    title: str
    group: str
    rows: list[Row] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    # Index of the user (or approver) the section is about, for change links.
    index: int | None = None

    def add(self, label: str, value: Any, key: str = "") -> None:
        self.rows.append(Row(label, _text(value), key))


def _text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return _("Not entered")
    return str(value)


def sections(session: Session, kind: str, data: Mapping[str, Any] | None,
             language: str, *, documents: Iterable[Any] = ()) -> list[Section]:
    """The summary of ``data`` of ``kind`` in ``language`` ("ja" or "en")."""
    ref = refdata.load(session)
    data = data or {}
    with force_locale(language):
        if kind == "new":
            result = _new(ref, data, language)
        elif kind == "change":
            result = _change(ref, data, language)
        elif kind == "delete":
            result = _delete(ref, data, language)
        else:
            result = []
        docs = list(documents)
        if docs:
            section = Section("documents", _("Supporting documents"), "documents")
            for document in docs:
                section.add(_document_purpose(ref, data, document.purpose, language),
                            _("%(name)s (%(size)s KB)", name=document.filename,
                              size=max(1, document.size // 1024)), "document")
            result.append(section)
        return result


# --- pieces ---------------------------------------------------------------------------------

def _name(person: Mapping[str, Any], language: str) -> str:
    return person_name(str(person.get("family_name") or ""), str(person.get("given_name") or ""),
                       language)


def _country(ref: refdata.Reference, code: Any, language: str) -> str:
    found = ref.country(code)
    return found.name(language) if found else str(code or "")


def _birthday(user: Mapping[str, Any], language: str) -> str:
    day, month, year = user.get("birth_day"), user.get("birth_month"), user.get("birth_year")
    try:
        if day and month and year:
            return format_date(date(int(year), int(month), int(day)), "long")
        if day and month:
            return format_skeleton("MMMMd", date(2000, int(month), int(day)), locale=language)
    except (TypeError, ValueError):
        pass
    return ""


def _secret(value: Any) -> str:
    if value is True:
        return _("Set (no longer shown)")
    return str(value) if value else _("None")


def program_role_label(code: Any) -> str:
    return {
        "pa": _("New Program Administrator"),
        "contact": _("New contact"),
        "user": _("Portal user"),
    }.get(str(code or ""), "")


def applicant_mode_label(code: Any) -> str:
    return {
        "self": _("Applying for myself (registered Program Administrator)"),
        "employee": _("Applying for an employee"),
        "pa": _("An existing Program Administrator changing access"),
        "other": _("Changing another user's access"),
    }.get(str(code or ""), "")


def functions_text(ref: refdata.Reference, items: Iterable[Mapping[str, Any]],
                   language: str) -> str:
    parts = []
    for item in items or ():
        function = ref.function(item.get("function"))
        if function is None:
            parts.append(str(item.get("function") or ""))
            continue
        role = function.role(item.get("role"))
        if role is not None:
            parts.append(_("%(function)s (%(role)s)", function=function.name(language),
                           role=role.name(language)))
        else:
            parts.append(function.name(language))
    from portal.i18n import format_list

    return format_list([p for p in parts if p])


def _applicant(data: Mapping[str, Any], language: str, title: str | None = None) -> Section:
    applicant = data.get("applicant") or {}
    section = Section("applicant", title or _("Applicant"), "applicant")
    mode = applicant_mode_label(applicant.get("mode"))
    if mode:
        section.add(_("Who applies"), mode, "mode")
    if applicant.get("user_id"):
        section.add(_("User ID"), applicant.get("user_id"), "user_id")
    section.add(_("Name"), _name(applicant, language), "name")
    section.add(_("Email address"), applicant.get("email"), "email")
    section.add(_("Phone number"), applicant.get("phone"), "phone")
    section.add(_("Company"), applicant.get("company"), "company")
    return section


def _address(address: Mapping[str, Any] | None) -> str:
    if not address:
        return ""
    postal = address.get("postal_code") or ""
    parts = [f"〒{postal}" if postal else "", address.get("prefecture") or "",
             address.get("city") or "", address.get("street") or "",
             address.get("building") or ""]
    return " ".join(p for p in parts if p)


def _access(ref: refdata.Reference, entry: Mapping[str, Any], key: str, number: int,
            language: str, *, action: bool = False) -> Section:
    country = _country(ref, entry.get("country"), language)
    # A change entry (it has an action) is titled "Change 1: Japan".
    title = (_("Change %(number)d: %(country)s", number=number,
               country=country or _("Not entered")) if action else
             _("Access %(number)d: %(country)s", number=number,
               country=country or _("Not entered")))
    section = Section(key, title, "access")
    if action:
        section.add(_("Action"), {"add": _("Add"), "remove": _("Remove")}.get(
            str(entry.get("action") or ""), ""), "action")
    section.add(_("Country"), country, "country")
    section.add(_("Functions"), functions_text(ref, entry.get("functions") or [], language),
                "functions")
    section.add(_("Control group number"), entry.get("control_group"), "control_group")
    return section


def _approvers(ref: refdata.Reference, data: Mapping[str, Any], language: str,
               users_label) -> Section:
    section = Section("approvers", _("Approvers"), "approver")
    for index, approver in enumerate(data.get("approvers") or []):
        child = Section(
            f"approver-{index}",
            _("Approver for %(country)s, %(user)s",
              country=_country(ref, approver.get("country"), language),
              user=users_label(approver.get("user"))),
            "approver", index=index,
        )
        child.add(_("Name"), _name(approver, language), "name")
        if approver.get("user_id"):
            child.add(_("User ID"), approver.get("user_id"), "user_id")
        child.add(_("Email address"), approver.get("email"), "email")
        child.add(_("Phone number"), approver.get("phone"), "phone")
        agreed = approver.get("agreed_at")
        child.add(_("Terms of use"), _agreed(agreed), "consent")
        section.children.append(child)
    return section


def _agreed(value: Any) -> str:
    if not value:
        return _("Not agreed yet")
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return _("Agreed on %(when)s", when=format_datetime(moment, "medium"))


def _new(ref: refdata.Reference, data: Mapping[str, Any], language: str) -> list[Section]:
    result = [_applicant(data, language)]
    users = data.get("users") or []

    def users_label(index: Any) -> str:
        try:
            user = users[int(index)]
        except (TypeError, ValueError, IndexError):
            return ""
        return _("user %(number)d (%(name)s)", number=int(index) + 1,
                 name=_name(user, language))

    for i, user in enumerate(users):
        section = Section(f"user-{i}", _("User %(number)d: %(name)s", number=i + 1,
                                          name=_name(user, language)), "user", index=i)
        section.add(_("Name"), _name(user, language), "name")
        section.add(_("Email address"), user.get("email"), "email")
        section.add(_("Main country"), _country(ref, user.get("country"), language), "country")
        section.add(_("Birthday"), _birthday(user, language), "birthday")
        section.add(_("Auth PIN"), _secret(user.get("auth_pin")), "auth_pin")
        section.add(_("Auth word"), _secret(user.get("auth_word")), "auth_word")
        section.add(_("Role in the card program"), program_role_label(user.get("program_role")),
                    "program_role")
        if user.get("address"):
            section.add(_("Home address"), _address(user.get("address")), "address")
        for j, entry in enumerate(user.get("access") or []):
            child = _access(ref, entry, f"user-{i}-access-{j}", j + 1, language)
            child.index = i
            section.children.append(child)
        result.append(section)
    result.append(_approvers(ref, data, language, users_label))
    return result


def _change(ref: refdata.Reference, data: Mapping[str, Any], language: str) -> list[Section]:
    result = [_applicant(data, language)]
    users = data.get("users") or []

    def users_label(index: Any) -> str:
        try:
            user = users[int(index)]
        except (TypeError, ValueError, IndexError):
            return ""
        return _("user %(number)d (%(user_id)s)", number=int(index) + 1,
                 user_id=user.get("user_id") or "")

    for i, user in enumerate(users):
        section = Section(f"user-{i}", _("User %(number)d: %(user_id)s", number=i + 1,
                                          user_id=user.get("user_id") or ""), "user", index=i)
        section.add(_("User ID"), user.get("user_id"), "user_id")
        for j, change in enumerate(user.get("changes") or []):
            child = _access(ref, change, f"user-{i}-change-{j}", j + 1, language, action=True)
            child.index = i
            section.children.append(child)
        result.append(section)
    if data.get("approvers"):
        result.append(_approvers(ref, data, language, users_label))
    return result


def _delete(ref: refdata.Reference, data: Mapping[str, Any], language: str) -> list[Section]:
    # The form asks for the applicant as the company's Program Administrator: same title here.
    result = [_applicant(data, language, _("Program Administrator"))]
    section = Section("deletion", _("User to delete"), "deletion")
    section.add(_("User ID"), data.get("user_id"), "user_id")
    section.add(_("Reason"), ref.deletion_reason(data.get("reason"), language)
                if data.get("reason") else "", "reason")
    if data.get("reason_note"):
        section.add(_("Details"), data.get("reason_note"), "reason_note")
    result.append(section)
    return result


def _document_purpose(ref: refdata.Reference, data: Mapping[str, Any], purpose: str,
                      language: str) -> str:
    # "pair:IN:0" -> "India, user 1"
    parts = (purpose or "").split(":")
    if len(parts) == 3 and parts[2].isdigit():
        return _("%(country)s, user %(number)d", country=_country(ref, parts[1], language),
                 number=int(parts[2]) + 1)
    return purpose or _("Document")
