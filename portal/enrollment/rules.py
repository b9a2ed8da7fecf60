"""Rules of the enrollment forms, on plain values. Each returns a message or None."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from portal.accounts.rules import valid_birthday

NAME_MAX = 50
TEXT_MAX = 100  # company names and address lines
_PHONE = re.compile(r"^\+?[0-9][0-9\-]{8,18}[0-9]$")
_DIGITS = re.compile(r"^[0-9]+$")
_POSTAL = re.compile(r"^[0-9]{3}-?[0-9]{4}$")
_ALNUM = re.compile(r"^[A-Za-z0-9]+$")
PIN_MIN, PIN_MAX = 4, 8
WORD_MIN, WORD_MAX = 4, 20


def normalize(value: str | None) -> str:
    """Full-width letters and digits become half-width; surrounding spaces go."""
    return unicodedata.normalize("NFKC", value or "").strip()


# Dashes a Japanese keyboard may type in a number (the IME's long vowel mark, minus signs,
# dashes); NFKC already turns the full-width hyphen-minus into "-".
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc", "-"))


def normalize_number(value: str | None) -> str:
    """A phone number or postal code as typed: half-width, with "-" for any dash."""
    return normalize(value).translate(_DASHES)


def tidy(name: str, value: str | None) -> str:
    """A posted contact value as stored: an email address or phone number typed in full
    width (an IME left on) becomes half-width; other values are kept as typed."""
    if name == "email":
        return normalize(value)
    if name == "phone":
        return normalize_number(value)
    return (value or "").strip()


def digits(value: str | None) -> str:
    """Digits as typed, full-width accepted, spaces and hyphens ignored."""
    return re.sub(r"[\s\-]", "", normalize_number(value))


def name_problem(value: str | None, which: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return {"family": _("Enter the family name."),
                "given": _("Enter the given name.")}[which]
    if len(value) > NAME_MAX:
        return _("Use at most %(max)d characters.", max=NAME_MAX)
    return None


def too_long(value: str | None, maximum: int = TEXT_MAX) -> str | None:
    """A free text (company name, address line) longer than the form keeps."""
    if len((value or "").strip()) > maximum:
        return _("Use at most %(max)d characters.", max=maximum)
    return None


def email_problem(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return _("Enter the email address.")
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return _("Enter an email address like name@example.co.jp.")
    return None


def phone_problem(value: str | None) -> str | None:
    value = normalize_number(value).replace(" ", "")
    if not value:
        return _("Enter the phone number.")
    if not _PHONE.match(value):
        return _("Enter a phone number of 10 to 15 digits, like 03-1234-5678.")
    count = sum(ch.isdigit() for ch in value)
    if not 10 <= count <= 15:
        return _("Enter a phone number of 10 to 15 digits, like 03-1234-5678.")
    return None


def birthday_problems(day, month, year, *, today: date | None = None) -> dict[str, str]:
    """Day and month are required; the year is optional (ENR-3.b)."""
    problems: dict[str, str] = {}
    try:
        d = int(day) if day not in (None, "") else None
        m = int(month) if month not in (None, "") else None
    except (TypeError, ValueError):
        return {"birth_day": _("Choose a value from the list.")}
    if d is None:
        problems["birth_day"] = _("Choose the day of the birthday.")
    if m is None:
        problems["birth_month"] = _("Choose the month of the birthday.")
    if problems:
        return problems
    if not valid_birthday(d, m):
        return {"birth_day": _("This month has no such day. Check the day and the month.")}
    if year in (None, ""):
        return {}
    try:
        y = int(normalize(str(year)))
        born = date(y, m, d)
    except (TypeError, ValueError):
        return {"birth_year": _("Enter the year with 4 digits, like 1985, or leave it empty.")}
    today = today or date.today()
    if not 1900 <= y or born >= today:
        return {"birth_year": _("Enter a year between 1900 and this year, or leave it empty.")}
    return {}


def pin_word_problems(pin: str | None, word: str | None) -> dict[str, str]:
    """Both optional, but together: first login asks for the word and the PIN."""
    pin_n = normalize(pin)
    word_n = normalize(word)
    problems: dict[str, str] = {}
    if pin_n and not (_DIGITS.match(pin_n) and PIN_MIN <= len(pin_n) <= PIN_MAX):
        problems["auth_pin"] = _("An auth PIN has %(min)d to %(max)d digits.",
                                 min=PIN_MIN, max=PIN_MAX)
    if word_n and not (_ALNUM.match(word_n) and WORD_MIN <= len(word_n) <= WORD_MAX):
        problems["auth_word"] = _(
            "An auth word has %(min)d to %(max)d half-width letters or digits.",
            min=WORD_MIN, max=WORD_MAX)
    if problems:
        return problems
    if pin_n and not word_n:
        problems["auth_word"] = _("Enter an auth word too, or clear the auth PIN: they are "
                                  "used together.")
    elif word_n and not pin_n:
        problems["auth_pin"] = _("Enter an auth PIN too, or clear the auth word: they are "
                                 "used together.")
    return problems


def _postal_text(value: str | None) -> str:
    """A postal code as typed, without the postal mark 〒 and spaces ("〒100 0005")."""
    return re.sub(r"\s", "", normalize_number(value).replace("〒", ""))


def postal_code_problem(value: str | None) -> str | None:
    value = _postal_text(value)
    if not value:
        return _("Enter the postal code.")
    if not _POSTAL.match(value):
        return _("Enter the postal code with 7 digits, like 100-0005.")
    return None


def normalize_postal_code(value: str | None) -> str:
    value = digits(_postal_text(value))
    return f"{value[:3]}-{value[3:]}" if len(value) == 7 and value.isdigit() else normalize(value)


def control_group_problem(rest: str | None, length: int) -> str | None:
    value = digits(rest)
    if not value:
        return _("Enter the control group number.")
    if not _DIGITS.match(value):
        return _("Use digits only (0-9).")
    if len(value) != length:
        return _("Enter exactly %(num)d digits after the fixed prefix.", num=length)
    return None


def user_id_format_problem(value: str | None) -> str | None:
    value = normalize(value)
    if not value:
        return _("Enter the user ID.")
    if not (_ALNUM.match(value) and 5 <= len(value) <= 20):
        return _("A user ID has 5 to 20 half-width letters or digits.")
    return None


def applicant_problems(applicant: Mapping[str, Any],
                       prefix: str = "applicant-") -> dict[str, str]:
    """Name, email, phone and company of an applicant (every kind asks them)."""
    errors: dict[str, str] = {}
    for name, which in (("family_name", "family"), ("given_name", "given")):
        problem = name_problem(applicant.get(name), which)
        if problem:
            errors[prefix + name] = problem
    for name, check in (("email", email_problem), ("phone", phone_problem)):
        problem = check(applicant.get(name))
        if problem:
            errors[prefix + name] = problem
    if not (applicant.get("company") or "").strip():
        errors[prefix + "company"] = _("Enter the company name.")
    elif too_long(applicant.get("company")):
        errors[prefix + "company"] = too_long(applicant.get("company"))
    return errors
