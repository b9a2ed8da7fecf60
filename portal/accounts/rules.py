"""The rules for what a person types at first login and sign-in (REG-2..5), as pure functions.

Each ``*_problem`` function returns ``None`` when the value is acceptable, or a message in the
current language that says what to change. Nothing here touches the database or the request.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable

from flask_babel import gettext as _

USER_ID_MIN, USER_ID_MAX = 5, 20
PASSWORD_MIN, PASSWORD_MAX = 8, 20
PASSWORD_SYMBOLS = "%&?#"
ANSWER_MIN, ANSWER_MAX = 2, 40

_ASCII_ALNUM = re.compile(r"^[A-Za-z0-9]+$")
_PASSWORD_CHARS = re.compile(r"^[A-Za-z0-9%&?#]+$")
_ANSWER_CHARS = re.compile(r"^[A-Za-z0-9 ]+$")


def has_full_width(value: str) -> bool:
    """Full-width letters, digits, symbols or the ideographic space (U+FF01-FF5E, U+3000)."""
    return any("\uff01" <= ch <= "\uff5e" or ch == "\u3000" for ch in value)


def half_width_message() -> str:
    return _(
        "Please switch your keyboard to half-width input: full-width letters, digits, "
        "symbols and spaces cannot be used here."
    )


# --- user ID (REG-3) -------------------------------------------------------------------------

def fold_user_id(value: str) -> str:
    """The form a user ID is compared and kept unique in: case does not matter, and one
    typed with full-width letters (an IME left on, when signing in) is the same ID. User IDs
    themselves are half-width only, so this changes no stored value."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


def user_id_problem(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return _("Enter a user ID.")
    if has_full_width(value):
        return half_width_message()
    if any(ch.isspace() for ch in value):
        return _("A user ID cannot contain spaces.")
    if not _ASCII_ALNUM.match(value):
        return _("Use only half-width letters (A-Z, a-z) and digits (0-9), with no symbols.")
    if not USER_ID_MIN <= len(value) <= USER_ID_MAX:
        return _(
            "A user ID must be %(min)d to %(max)d characters long.",
            min=USER_ID_MIN, max=USER_ID_MAX,
        )
    return None


def suggest_user_ids(
    wanted: str,
    taken: Callable[[list[str]], set[str]],
    *,
    count: int = 3,
    rng: random.Random | None = None,
) -> list[str]:
    """Up to ``count`` user IDs close to ``wanted`` that follow the rules and are free.

    ``taken(candidates)`` returns the case-folded forms among ``candidates`` that are in use.
    """
    rng = rng or random.SystemRandom()
    stem = "".join(ch for ch in wanted if ch.isascii() and ch.isalnum())[: USER_ID_MAX - 3]
    if len(stem) < 2:
        stem = "user"
    found: list[str] = []
    seen: set[str] = set()
    for _round in range(6):
        candidates: list[str] = []
        for digits in (2, 2, 3, 3, 3, 3, 3, 3):
            suffix = str(rng.randrange(10 ** (digits - 1), 10**digits))
            candidate = (stem + suffix)[:USER_ID_MAX]
            while len(candidate) < USER_ID_MIN:
                candidate += str(rng.randrange(10))
            folded = fold_user_id(candidate)
            if folded in seen or folded == fold_user_id(wanted) or user_id_problem(candidate):
                continue
            seen.add(folded)
            candidates.append(candidate)
        in_use = taken(candidates)
        for candidate in candidates:
            if fold_user_id(candidate) not in in_use:
                found.append(candidate)
                if len(found) == count:
                    return found
    return found


# --- password (REG-4) ------------------------------------------------------------------------

def password_problem(value: str | None, user_id: str | None = None) -> str | None:
    value = value or ""
    if not value:
        return _("Enter a password.")
    if has_full_width(value):
        return half_width_message()
    if any(ch.isspace() for ch in value):
        return _("A password cannot contain spaces.")
    if not _PASSWORD_CHARS.match(value):
        return _(
            "Use half-width letters and digits; the only symbols allowed are %(symbols)s.",
            symbols="% & ? #",
        )
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        return _(
            "A password must be %(min)d to %(max)d characters long.",
            min=PASSWORD_MIN, max=PASSWORD_MAX,
        )
    if user_id and fold_user_id(value) == fold_user_id(user_id):
        return _("Choose a password that is different from your user ID.")
    return None


# --- secret answer (REG-5) -------------------------------------------------------------------

def normalize_answer(value: str) -> str:
    """NFKC, case folding and no spaces: ``Ｎｅｗ　Ｙｏｒｋ`` and ``newyork`` are one answer."""
    return "".join(unicodedata.normalize("NFKC", value).casefold().split())


def answer_problem(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return _("Enter the answer to your secret question.")
    if has_full_width(value):
        return half_width_message()
    if not _ANSWER_CHARS.match(value):
        return _("Use only half-width letters (A-Z, a-z) and digits (0-9) in the answer.")
    if not ANSWER_MIN <= len(normalize_answer(value)) <= ANSWER_MAX:
        return _(
            "An answer must have %(min)d to %(max)d letters or digits.",
            min=ANSWER_MIN, max=ANSWER_MAX,
        )
    return None


# --- identity check at first login (REG-2) ---------------------------------------------------

def normalize_auth_word(value: str) -> str:
    """Auth words are compared like secret answers (width, case and spaces do not matter)."""
    return normalize_answer(value)


def normalize_pin(value: str) -> str:
    """Full-width digits count as digits; surrounding and inner spaces are ignored."""
    return "".join(unicodedata.normalize("NFKC", value).split())


def verification_method(
    birth_day: str | None, birth_month: str | None, auth_word: str | None, auth_pin: str | None
) -> tuple[str | None, dict[str, str]]:
    """Which way of proving identity the person chose, or the problems with what they filled.

    Returns ``("birthday", {})``, ``("word", {})`` or ``(None, {field: message})``, where the
    field ``"form"`` stands for a problem with the choice of fields as a whole.
    """
    birthday = [bool(birth_day), bool(birth_month)]
    word = [bool((auth_word or "").strip()), bool((auth_pin or "").strip())]
    if all(birthday) and all(word):
        message = _(
            "You filled in all four fields. Use only one way: your birthday if you did not set "
            "an auth word, or your auth word and auth PIN if you did."
        )
        return None, {"form": message}
    if any(birthday) and any(word):
        message = _(
            "Use only one way: your birthday (day and month), or your auth word and auth PIN. "
            "Clear the fields of the other way."
        )
        return None, {"form": message}
    if any(birthday):
        if not birth_day:
            return None, {"birth_day": _("Choose the day of your birthday.")}
        if not birth_month:
            return None, {"birth_month": _("Choose the month of your birthday.")}
        return "birthday", {}
    if any(word):
        if not word[0]:
            return None, {"auth_word": _("Enter your auth word.")}
        if not word[1]:
            return None, {"auth_pin": _("Enter your auth PIN.")}
        return "word", {}
    return None, {
        "form": _(
            "Choose the day and month of your birthday, or enter your auth word and auth PIN."
        )
    }


def valid_birthday(day: int, month: int) -> bool:
    days = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    return 1 <= month <= 12 and 1 <= day <= days[month - 1]

