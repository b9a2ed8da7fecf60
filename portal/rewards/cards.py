"""Card numbers: normalised, checked and kept only as a keyed hash and the last five digits.

A number may be typed with spaces or hyphens and in full-width digits. Corporate card
numbers have 15 digits and a Luhn check digit.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

CARD_DIGITS = 15
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―ー－]")


def normalize_number(text: str) -> str | None:
    """The 15 digits of ``text``, or None when it is not a well-formed card number."""
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))
    if len(digits) != CARD_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits if luhn_ok(digits) else None


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def with_check_digit(first14: str) -> str:
    """``first14`` followed by the digit that makes it pass the Luhn check."""
    for digit in "0123456789":
        if luhn_ok(first14 + digit):
            return first14 + digit
    raise AssertionError("unreachable")


def number_hash(digits: str, key: str) -> str:
    """A keyed hash of a normalised number: recognises it without keeping it."""
    return hmac.new(key.encode(), b"card:" + digits.encode(), hashlib.sha256).hexdigest()


def masked(last5: str) -> str:
    return f"XXXX-XXXXXX-{last5}"
