"""The text rules of search, applied once when a document is indexed and to every query.

- Unicode NFKC (full-width letters and digits become half-width, half-width katakana
  full-width), then case folding;
- Latin letters lose their accents (``café`` is ``cafe``, ``Élan`` is ``elan``): the
  combining marks U+0300 to U+036F go, nothing else (kana keep their voicing marks);
- katakana become hiragana, so カタカナ and かたかな find each other;
- every kind of dash becomes ``-``; runs of white space become one space.

Japanese is matched as a plain substring of the normalised text. English is matched by words
and word prefixes: the text is kept as its words, each preceded by a space, so that "a word
starts with q" is the substring `` q``.
"""

from __future__ import annotations

import re
import unicodedata

# Raised whenever a rule changes what a text normalises to: an index built under other rules
# is rebuilt by the next data load (``portal.cli.load_reference_data``).
RULES = 2  # 2: Latin accents folded

_KATAKANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}  # ァ..ヶ -> ぁ..ゖ
_KATAKANA.update({0x30FD: 0x309D, 0x30FE: 0x309E})  # ヽヾ -> ゝゞ
_DASHES = {ord(ch): "-" for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"}
_TABLE = {**_KATAKANA, **_DASHES}
_NEEDS_TABLE = re.compile("[\u30a1-\u30f6\u30fd\u30fe\u2010-\u2015\u2212\ufe63\uff0d]")
_WORD = re.compile(r"\w+")
# Latin letters that may carry an accent, and the combining accents themselves.
_ACCENTED = re.compile("[\u00c0-\u024f\u1e00-\u1eff\u0300-\u036f]")
_ACCENTS = re.compile("[\u0300-\u036f]+")
ITEM_NO = re.compile(r"([a-z])(\d{3})-?(\d{4})")
# A polite prefix before a word in kanji (お茶, ご飯, 御礼): the word is searched without it,
# so that お茶 finds 緑茶 and 紅茶 as 茶 does (the documents keep their text).
_POLITE = re.compile("[おご御]([\u3400-\u4dbf\u4e00-\u9fff]+)")


def normalize(text: str) -> str:
    """The normalised form of ``text`` (see the module docstring)."""
    text = text or ""
    if text.isascii():  # NFKC leaves ASCII as it is, and casefold is lower
        return " ".join(text.lower().split())
    text = unicodedata.normalize("NFKC", text).casefold()
    if _ACCENTED.search(text):
        decomposed = unicodedata.normalize("NFD", text)
        text = unicodedata.normalize("NFC", _ACCENTS.sub("", decomposed))
    if _NEEDS_TABLE.search(text):
        text = text.translate(_TABLE)
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """The English words of ``text`` (already normalised)."""
    return _WORD.findall(text)


def english_text(normalised: str) -> str:
    """English documents are stored as `` word word ...`` (a space before each word)."""
    found = _WORD.findall(normalised)
    return " " + " ".join(found) if found else ""


def item_number(query: str) -> str | None:
    """``D540-0598`` when the whole query is an item number (any width, with or without the
    hyphen), else None."""
    compact = normalize(query).replace(" ", "")
    match = ITEM_NO.fullmatch(compact)
    if not match:
        return None
    letter, left, right = match.groups()
    return f"{letter.upper()}{left}-{right}"


def item_number_forms(item_no: str) -> str:
    """The forms of an item number put into its document: ``d540-0598 d5400598``."""
    lowered = normalize(item_no)
    return f"{lowered} {lowered.replace('-', '')}"


def terms(query: str, language: str) -> list[str]:
    """The substrings every matching document must contain, in query order, without repeats.

    Japanese: each space-separated word of the normalised query, a polite prefix before a
    word in kanji left out (お茶 is 茶). English: each word of the query, as `` word`` (a
    word prefix of the document).
    """
    normalised = normalize(query)
    if language == "en":
        found = [f" {word}" for word in words(normalised)]
    else:
        found = normalised.split(" ") if normalised else []
        found = [(polite.group(1) if (polite := _POLITE.fullmatch(term)) else term)
                 for term in found]
    unique: list[str] = []
    for term in found:
        if term and term not in unique:
            unique.append(term)
    return unique


def document_text(parts: list[str], language: str) -> str:
    """The stored, searchable text of one document in ``language``: its parts normalised
    one by one and joined with a space (a query term never holds a space, so no term matches
    across two parts)."""
    normalised = [normalize(part) for part in parts if part]
    if language == "en":
        return "".join(english_text(part) for part in normalised)
    return " ".join(part for part in normalised if part)
