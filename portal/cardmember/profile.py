"""OS-5: a cardmember changes their details.

``change_address``, ``change_phone`` and ``change_employer`` take effect at once;
``request_email_change`` keeps the new address waiting and returns a link token that is
sent to the new address, and ``confirm_email_change`` makes it effective when the link is
opened in time (``EMAIL_LINK_HOURS``); ``change_pin`` and ``change_password`` need the
current password. Every change is a ``CardmemberChange`` row (a PIN or password by name
only), and the caller emails the person that it happened. Problems are raised as
``ProfileError`` with a message per field. Nothing here commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.accounts import rules as account_rules
from portal.accounts.models import User
from portal.accounts.services.common import hash_secret, verify_secret
from portal.accounts.services.sessions import end_user_sessions
from portal.cardmember.models import Cardmember, CardmemberChange, EmailChange
from portal.db import utcnow
from portal.enrollment import rules as text_rules
from portal.reference.postal import PREFECTURES, lookup

EMAIL_LINK_HOURS = 24
TEXT_MAX = 100
EMPLOYER_MAX = 100


class ProfileError(ValueError):
    def __init__(self, errors: dict[str, object]):
        super().__init__("; ".join(str(m) for m in errors.values()))
        self.errors = errors


def _record(session: Session, holder: Cardmember, what: str, before: str, after: str,
            address: str) -> None:
    session.add(CardmemberChange(cardmember_id=holder.id, what=what, before=before[:300],
                                 after=after[:300], address=address[:45]))


def address_text(holder: Cardmember) -> str:
    return (f"〒{holder.postal_code} {holder.prefecture}{holder.city}{holder.street}"
            f"{(' ' + holder.building) if holder.building else ''}")


def fill_from_postal_code(values: dict[str, str]) -> tuple[dict[str, str], str | None]:
    """``values`` with the prefecture and city of their postal code (and the district as the
    street when none was typed); the second value is the problem, if any."""
    problem = text_rules.postal_code_problem(values.get("postal_code"))
    if problem:
        return values, problem
    code = text_rules.normalize_postal_code(values.get("postal_code"))
    found = lookup(code)
    if found is None:
        return values, str(_l("No address has this postal code. Check it, or fill in the "
                              "address yourself."))
    return {**values, "postal_code": code, "prefecture": found.prefecture,
            "city": found.city, "street": values.get("street") or found.district}, None


def change_address(session: Session, holder: Cardmember, values: dict[str, str],
                   address: str) -> None:
    values = {k: (values.get(k) or "").strip()
              for k in ("postal_code", "prefecture", "city", "street", "building")}
    errors: dict[str, object] = {}
    problem = text_rules.postal_code_problem(values["postal_code"])
    if problem:
        errors["postal_code"] = problem
    elif lookup(text_rules.normalize_postal_code(values["postal_code"])) is None:
        errors["postal_code"] = _l("No address has this postal code. Check it.")
    if values["prefecture"] not in PREFECTURES:
        errors["prefecture"] = _l("Choose the prefecture.")
    if not values["city"]:
        errors["city"] = _l("Enter the city, ward, town or village.")
    if not values["street"]:
        errors["street"] = _l("Enter the street address.")
    for name in ("city", "street", "building"):
        if name not in errors and len(values[name]) > TEXT_MAX:
            errors[name] = _l("Use at most %(max)d characters.", max=TEXT_MAX)
    if errors:
        raise ProfileError(errors)
    before = address_text(holder)
    holder.postal_code = text_rules.normalize_postal_code(values["postal_code"])
    holder.prefecture, holder.city = values["prefecture"], values["city"]
    holder.street, holder.building = values["street"], values["building"]
    _record(session, holder, "address", before, address_text(holder), address)


def change_phone(session: Session, holder: Cardmember, phone: str, address: str) -> None:
    value = text_rules.normalize_number(phone)
    digits = value.replace("-", "")
    if not value:
        raise ProfileError({"phone": _l("Enter a phone number.")})
    if not digits.isdigit() or not 10 <= len(digits) <= 11 or not digits.startswith("0"):
        raise ProfileError({"phone": _l("Enter a Japanese phone number of 10 or 11 digits, "
                                        "like 090-1234-5678.")})
    before, holder.phone = holder.phone, value
    _record(session, holder, "phone", before, value, address)


def change_employer(session: Session, holder: Cardmember, employer: str,
                    address: str) -> None:
    value = (employer or "").strip()
    if not value:
        raise ProfileError({"employer": _l("Enter the name of your employer.")})
    if len(value) > EMPLOYER_MAX:
        raise ProfileError({"employer": _l("Use at most %(max)d characters.",
                                           max=EMPLOYER_MAX)})
    before, holder.employer = holder.employer, value
    _record(session, holder, "employer", before, value, address)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_email_change(session: Session, holder: Cardmember, email: str,
                         now: datetime | None = None) -> tuple[str, str]:
    """Keep ``email`` waiting; returns ``(normalised address, link token)``."""
    now = now or utcnow()
    text = text_rules.normalize(email)
    if not text:
        raise ProfileError({"email": _l("Enter the new email address.")})
    try:
        value = validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ProfileError({"email": _l("Enter an email address like name@example.com.")}) \
            from None
    if value.casefold() == holder.email.casefold():
        raise ProfileError({"email": _l("This is already your email address.")})
    token = secrets.token_urlsafe(32)
    session.add(EmailChange(cardmember_id=holder.id, new_email=value, token_hash=_digest(token),
                            expires_at=now + timedelta(hours=EMAIL_LINK_HOURS)))
    return value, token


def confirm_email_change(session: Session, token: str, address: str,
                         now: datetime | None = None) -> tuple[Cardmember, str] | None:
    """Make the waiting address effective; ``(holder, old address)``, or None when the link
    is unknown, used or too old."""
    now = now or utcnow()
    waiting = session.scalar(select(EmailChange).where(EmailChange.token_hash == _digest(token)))
    if waiting is None or waiting.used_at is not None or waiting.expires_at <= now:
        return None
    holder = session.get(Cardmember, waiting.cardmember_id)
    if holder is None:
        return None
    waiting.used_at = now
    before, holder.email = holder.email, waiting.new_email
    if holder.user_id is not None:
        session.execute(update(User).where(User.id == holder.user_id)
                        .values(email=waiting.new_email))
    _record(session, holder, "email", before, waiting.new_email, address)
    return holder, before


def _current_password(session: Session, holder: Cardmember, password: str) -> User:
    user = session.get(User, holder.user_id) if holder.user_id else None
    if user is None or not verify_secret(user.password_hash, password or ""):
        raise ProfileError({"current_password": _l("The current password is not right.")})
    return user


def change_pin(session: Session, holder: Cardmember, current_password: str, pin: str,
               pin_again: str, address: str) -> None:
    errors: dict[str, object] = {}
    value = text_rules.normalize(pin)
    if not (len(value) == 4 and value.isascii() and value.isdigit()):
        errors["pin"] = _l("A PIN has 4 digits.")
    elif len(set(value)) == 1 or value in "0123456789" or value in "9876543210":
        errors["pin"] = _l("Choose a PIN that is not all one digit or a run like 1234.")
    elif text_rules.normalize(pin_again) != value:
        errors["pin_again"] = _l("The two PINs are not the same.")
    try:
        _current_password(session, holder, current_password)
    except ProfileError as error:
        errors.update(error.errors)
    if errors:
        raise ProfileError(errors)
    holder.pin_hash = hash_secret(value)
    _record(session, holder, "pin", "", "", address)


def change_password(session: Session, holder: Cardmember, current_password: str,
                    password: str, password_again: str, address: str) -> None:
    """The new password (REG-4); the person's sessions end, so they sign in again."""
    errors: dict[str, object] = {}
    user = None
    try:
        user = _current_password(session, holder, current_password)
    except ProfileError as error:
        errors.update(error.errors)
    problem = account_rules.password_problem(password, user.user_id if user else None)
    if problem:
        errors["password"] = problem
    elif password != password_again:
        errors["password_again"] = _l("The two passwords are not the same.")
    elif user is not None and verify_secret(user.password_hash, password):
        errors["password"] = _l("Choose a password different from the current one.")
    if errors:
        raise ProfileError(errors)
    assert user is not None
    user.password_hash = hash_secret(password)
    user.failed_logins = 0
    end_user_sessions(session, user.id, utcnow())
    _record(session, holder, "password", "", "", address)


def recent_changes(session: Session, holder: Cardmember, limit: int = 10
                   ) -> list[CardmemberChange]:
    return list(session.scalars(select(CardmemberChange)
                                .where(CardmemberChange.cardmember_id == holder.id)
                                .order_by(CardmemberChange.id.desc()).limit(limit)))
