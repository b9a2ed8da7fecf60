"""The text rules of search (portal.search.normalize)."""

import pytest

from portal.search.normalize import (
    document_text,
    item_number,
    item_number_forms,
    normalize,
    terms,
)


@pytest.mark.parametrize(("given", "expected"), [
    ("コーヒー", "こーひー"),  # katakana become hiragana
    ("ｺｰﾋｰ", "こーひー"),  # half-width katakana: NFKC, then hiragana
    ("ＧｏＰｒｏ　ＨＥＲＯ１１", "gopro hero11"),  # full-width letters, digits and space
    ("ザ・ポット", "ざ・ぽっと"),
    ("D540－0598", "d540-0598"),  # full-width hyphen
    ("D540‐0598 D540—0598 D540−0598", "d540-0598 d540-0598 d540-0598"),  # other dashes
    ("  Straße \t Tee ", "strasse tee"),  # case folding, white space collapsed
    ("ヴ ヽ", "ゔ ゝ"),
    ("Café CRÈME brûlée", "cafe creme brulee"),  # Latin accents go
    ("ｶﾞ ガ パ ゔ café", "が が ぱ ゔ cafe"),  # kana keep their voicing marks beside them
    ("Ångström naïve Øresund", "angstrom naive øresund"),  # ø is a letter, not o + accent
])
def test_normalize(given, expected):
    assert normalize(given) == expected


@pytest.mark.parametrize("given", ["D540-0598", "d5400598", "Ｄ５４０－０５９８", "ｄ５４００５９８",
                                   " D540 0598 ", "d540‐0598"])
def test_item_number_in_any_form(given):
    assert item_number(given) == "D540-0598"


@pytest.mark.parametrize("given", ["D540-059", "D540-05981", "540-0598", "DD540-0598", "coffee",
                                   "D540-0598 coffee", ""])
def test_not_an_item_number(given):
    assert item_number(given) is None


def test_item_number_forms_hold_both_spellings():
    assert item_number_forms("D540-0598") == "d540-0598 d5400598"


def test_japanese_terms_are_the_words_of_the_query():
    assert terms("ｺｰﾋｰ　茶 コーヒー", "ja") == ["こーひー", "茶"]
    assert terms("   ", "ja") == []


def test_a_polite_prefix_before_kanji_is_left_out():
    assert terms("お茶 ご飯 御礼", "ja") == ["茶", "飯", "礼"]
    assert terms("おでん おちゃ お お茶セット", "ja") == ["おでん", "おちゃ", "お", "お茶せっと"]
    assert terms("お茶 茶", "ja") == ["茶"]  # the same word once


def test_english_terms_are_word_prefixes():
    assert terms("Coffee MACH", "en") == [" coffee", " mach"]
    assert terms("wi-fi", "en") == [" wi", " fi"]
    assert terms("...", "en") == []


def test_english_documents_keep_their_words():
    assert document_text(["BALMUDA The Pot (black)"], "en") == " balmuda the pot black"
    # A prefix of a word matches; the middle of a word does not.
    assert " po" in document_text(["The Pot"], "en")
    assert " ot" not in document_text(["The Pot"], "en")
