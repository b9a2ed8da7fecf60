"""OS-1: a cardmember sets up online access with their card.

1. ``find_card``: the 15-digit card number (spaces, hyphens and full-width digits accepted,
   Luhn-checked) and the 4-digit security code. A wrong pair never says which part was wrong.
2. ``check_identity``: the birth date held on the card's record.
3. ``complete``: a login ID is issued (``cm`` and seven digits) and shown; the person chooses a
   password by the REG-4 rules and a secret question (for a forgotten password), and becomes
   a portal user through the same registration service as everyone else (argon2id hashes).

Failed attempts count per card and per address with the portal's limiter
(``portal.accounts.limiter``): after ``registration_max_attempts`` wrong tries on one card, or
``address_max_failures`` from one address, within ``attempt_window``, setup waits. A card
whose holder is set up already is told to sign in. Nothing here commits but ``complete``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts import limiter
from portal.accounts.models import User
from portal.accounts.services import registration, user_ids, users
from portal.accounts.services.common import (
    AccountError,
    Limits,
    address_blocked,
    record_address_failure,
)
from portal.cardmember.models import Cardmember
from portal.db import utcnow
from portal.rewards.cards import normalize_number, number_hash
from portal.rewards.program import Card


class SetupError(ValueError):
    def __init__(self, errors: dict[str, object], *, signed_up: bool = False):
        super().__init__("; ".join(str(m) for m in errors.values()))
        self.errors = errors
        self.signed_up = signed_up  # the card's holder already has online access


WRONG_CARD = _l("The card number and security code do not match a card we know. Check both "
                "and try again.")
WRONG_IDENTITY = _l("The details do not match our records for this card. Check them and try "
                    "again.")


def security_code_hash(code: str, key: str) -> str:
    return hmac.new(key.encode(), b"code:" + code.encode(), hashlib.sha256).hexdigest()


def _digits(text: str | None) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "")
                   if not ch.isspace() and ch not in "-‐‑–—ー−")


def _card_key(card_hash: str) -> str:
    return f"cmsetup:{card_hash[:32]}"


def _waiting(session: Session, card_hash: str | None, address: str, limits: Limits,
             now: datetime) -> None:
    wait = address_blocked(session, address, limits, now)
    if wait is None and card_hash is not None:
        key = _card_key(card_hash)
        if limiter.count(session, key, window=limits.attempt_window, now=now) >= (
                limits.registration_max_attempts):
            wait = limiter.retry_after(session, key, window=limits.attempt_window, now=now)
    if wait is not None:
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        raise SetupError({"number": _l("Too many attempts. Please wait %(minutes)s minutes and "
                                       "try again.", minutes=minutes)})


def _failed(session: Session, card_hash: str | None, address: str, limits: Limits,
            now: datetime) -> None:
    record_address_failure(session, address, limits, now)
    if card_hash is not None:
        limiter.hit(session, _card_key(card_hash), window=limits.attempt_window, now=now)


def find_card(session: Session, number: str | None, code: str | None, key: str,
              address: str, limits: Limits, now: datetime | None = None) -> Card:
    """The card of this number and security code, or ``SetupError``; a failure is counted
    (the caller commits either way)."""
    now = now or utcnow()
    errors: dict[str, object] = {}
    digits = normalize_number(number or "")
    if not (number or "").strip():
        errors["number"] = _l("Enter the 15-digit number on the front of the card.")
    elif digits is None:
        errors["number"] = _l("A card number has 15 digits, like 3712 345678 90123. Check the "
                              "number on the card.")
    code_digits = _digits(code)
    if not code_digits:
        errors["code"] = _l("Enter the 4-digit security code printed on the card.")
    elif len(code_digits) != 4 or not code_digits.isdigit():
        errors["code"] = _l("The security code has 4 digits.")
    if errors:
        raise SetupError(errors)
    assert digits is not None
    card_hash = number_hash(digits, key)
    _waiting(session, card_hash, address, limits, now)
    card = session.scalar(select(Card).where(Card.number_hash == card_hash))
    if (card is None or card.cardmember_id is None or card.security_code_hash is None
            or not hmac.compare_digest(card.security_code_hash,
                                       security_code_hash(code_digits, key))):
        _failed(session, card_hash, address, limits, now)
        raise SetupError({"number": WRONG_CARD})
    holder = session.get(Cardmember, card.cardmember_id)
    if holder is not None and holder.user_id is not None:
        raise SetupError({"number": _l("Online access is already set up for this card. Sign "
                                       "in with your login ID; all your cards are shown "
                                       "there.")}, signed_up=True)
    return card


def check_identity(session: Session, card: Card, year: str | None, month: str | None,
                   day: str | None, address: str, limits: Limits,
                   now: datetime | None = None) -> Cardmember:
    """The card's holder when the birth date matches; otherwise ``SetupError`` (counted)."""
    now = now or utcnow()
    try:
        born = date(int(_digits(year)), int(_digits(month)), int(_digits(day)))
    except ValueError:
        raise SetupError({"birth_year": _l("Enter your date of birth: year, month and "
                                           "day.")}) from None
    card_hash = card.number_hash
    _waiting(session, card_hash, address, limits, now)
    holder = session.get(Cardmember, card.cardmember_id) if card.cardmember_id else None
    if holder is None or holder.birth_date != born:
        _failed(session, card_hash, address, limits, now)
        raise SetupError({"birth_year": WRONG_IDENTITY})
    if holder.user_id is not None:
        raise SetupError({"birth_year": _l("Online access is already set up for this card. "
                                           "Sign in with your login ID.")}, signed_up=True)
    return holder


def issue_login_id(session: Session) -> str:
    """A login ID nobody has: ``cm`` and seven digits."""
    while True:
        candidate = f"cm{secrets.randbelow(10_000_000):07d}"
        if not user_ids.user_id_in_use(session, candidate):
            return candidate


def complete(session: Session, holder: Cardmember, login_id: str, password: str,
             question_code: str, answer: str, language: str) -> User:
    """Make the holder a portal user with ``login_id`` (REG-3 to REG-5 rules); commits.
    ``AccountError`` maps the fields in trouble to their messages."""
    user, token = users.create_user(
        session, family_name=holder.family_name, given_name=holder.given_name,
        email=holder.email, country_code="JP", birth_day=holder.birth_date.day,
        birth_month=holder.birth_date.month, birth_year=holder.birth_date.year)
    user.language = language
    _state, link = registration.registration_link(session, token)
    session.flush()
    try:
        user = registration.complete_registration(
            session, link.id, user_id=login_id, password=password,
            question_code=question_code, answer=answer)
    except AccountError:
        session.rollback()
        raise
    holder = session.get(Cardmember, holder.id)
    holder.user_id = user.id
    session.commit()
    return user


__all__ = ["AccountError", "SetupError", "check_identity", "complete", "find_card",
           "issue_login_id", "security_code_hash"]
