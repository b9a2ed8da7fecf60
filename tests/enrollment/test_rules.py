"""Unit tests of the enrollment rules (ENR-3.b, ENR-3.c)."""

from datetime import date

import pytest

from portal.enrollment import rules


@pytest.fixture(autouse=True)
def _ctx(app):
    with app.test_request_context("/?lang=en"):
        yield


def test_birthday_needs_day_and_month_and_takes_an_optional_year():
    assert rules.birthday_problems("", "", None) == {
        "birth_day": "Choose the day of the birthday.",
        "birth_month": "Choose the month of the birthday."}
    assert rules.birthday_problems(29, 2, None) == {}
    assert "birth_day" in rules.birthday_problems(31, 4, None)
    assert rules.birthday_problems(29, 2, 1984) == {}
    assert "birth_year" in rules.birthday_problems(29, 2, 1985)  # not a leap year
    assert "birth_year" in rules.birthday_problems(1, 1, 2030, today=date(2026, 1, 1))
    assert "birth_year" in rules.birthday_problems(1, 1, "19x0")


def test_auth_pin_and_word_are_optional_but_go_together():
    assert rules.pin_word_problems(None, None) == {}
    assert rules.pin_word_problems("1234", "sakura") == {}
    assert rules.pin_word_problems("１２３４", "ｓａｋｕｒａ") == {}  # full width accepted
    assert set(rules.pin_word_problems("1234", "")) == {"auth_word"}
    assert set(rules.pin_word_problems("", "sakura")) == {"auth_pin"}
    assert set(rules.pin_word_problems("12", "sakura")) == {"auth_pin"}
    assert set(rules.pin_word_problems("1234", "さくら")) == {"auth_word"}


@pytest.mark.parametrize(("rest", "length", "ok"), [
    ("000000000001", 12, True), ("０００００００００００１", 12, True), ("0000-0000-0001", 12, True),
    ("00000000001", 12, False), ("0000000000012", 12, False), ("00000000000a", 12, False),
    ("", 12, False),
])
def test_control_group_rest_is_checked_for_digits_and_length(rest, length, ok):
    assert (rules.control_group_problem(rest, length) is None) is ok


def test_phone_postal_code_email_and_user_id():
    assert rules.phone_problem("03-1234-5678") is None
    assert rules.phone_problem("+81 3 1234 5678") is None
    assert rules.phone_problem("12-34") is not None
    assert rules.postal_code_problem("100-0005") is None
    assert rules.postal_code_problem("１０００００５") is None
    assert rules.postal_code_problem("100-005") is not None
    assert rules.normalize_postal_code("1000005") == "100-0005"
    # Dashes typed with a Japanese IME: the long vowel mark, full-width and minus signs.
    assert rules.phone_problem("０３ー１２３４ー５６７８") is None
    assert rules.phone_problem("03−1234−5678") is None
    assert rules.postal_code_problem("１００ー０００５") is None
    assert rules.postal_code_problem("100－0005") is None
    assert rules.normalize_postal_code("１００ー０００５") == "100-0005"
    assert rules.control_group_problem("0000ー0000ー0001", 12) is None
    assert rules.tidy("email", " ｐａ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ ") == "pa@example.co.jp"
    assert rules.tidy("phone", "０３ー１２３４ー５６７８") == "03-1234-5678"
    assert rules.tidy("family_name", " サトー ") == "サトー"  # names keep their "ー"
    assert rules.email_problem("a@example.co.jp") is None
    assert rules.email_problem("not-an-email") is not None
    assert rules.user_id_format_problem("samplepa") is None
    assert rules.user_id_format_problem("pa") is not None


def test_free_texts_have_a_length_limit():
    assert rules.too_long("x" * rules.TEXT_MAX) is None
    assert rules.too_long(" " + "x" * rules.TEXT_MAX + " ") is None
    assert rules.too_long("x" * (rules.TEXT_MAX + 1)) == "Use at most 100 characters."
    assert rules.too_long(None) is None
