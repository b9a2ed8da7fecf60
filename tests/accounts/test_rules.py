"""REG-2..5: the rules for what a person types, as pure functions."""

import random

import pytest

from portal.accounts import rules


@pytest.fixture(autouse=True)
def _english(app):
    with app.test_request_context("/?lang=en"):
        yield


@pytest.mark.parametrize("value", ["abcde", "ABCDE", "Tanaka2024", "a1b2c3d4e5f6g7h8i9j0", "12345"])
def test_user_id_accepts_5_to_20_half_width_letters_and_digits(value):
    assert rules.user_id_problem(value) is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("", "Enter a user ID"),
        ("abcd", "5 to 20 characters"),
        ("a" * 21, "5 to 20 characters"),
        ("tanaka 01", "cannot contain spaces"),
        ("tanaka_01", "no symbols"),
        ("tanaka-01", "no symbols"),
        ("tanaka.01", "no symbols"),
        ("たなか12345", "no symbols"),
        ("ｔａｎａｋａ01", "half-width"),
        ("tanaka０１", "half-width"),
        ("tanaka\u300001", "half-width"),
    ],
)
def test_user_id_problems_say_what_to_change(value, says):
    assert says in rules.user_id_problem(value)


def test_user_ids_compare_regardless_of_case():
    assert rules.fold_user_id("TaNaKa01") == rules.fold_user_id("tanaka01") == "tanaka01"


@pytest.mark.parametrize("value", ["abcdefgh", "ABCdef12", "pass%&?#", "12345678", "a" * 20, "Sample#pa1"])
def test_password_accepts_8_to_20_letters_digits_and_four_symbols(value):
    assert rules.password_problem(value) is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("", "Enter a password"),
        ("abc1234", "8 to 20 characters"),
        ("a" * 21, "8 to 20 characters"),
        ("pass word1", "cannot contain spaces"),
        ("password!", "% & ? #"),
        ("pass_word1", "% & ? #"),
        ("パスワード12345", "% & ? #"),
        ("ｐａｓｓｗｏｒｄ", "half-width"),
        ("password１２", "half-width"),
        ("password％", "half-width"),
    ],
)
def test_password_problems_say_what_to_change(value, says):
    assert says in rules.password_problem(value)


def test_full_width_input_gets_the_half_width_message_not_a_generic_one():
    message = rules.password_problem("ＰａｓｓＷｏｒｄ１２")
    assert "half-width" in message and "full-width" in message
    assert message == rules.user_id_problem("ｔａｎａｋａ01")


def test_password_may_not_be_the_user_id():
    assert "different from your user ID" in rules.password_problem("Tanaka0123", "tanaka0123")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("Pochi", "pochi"), ("ＰＯＣＨＩ", "pochi"), ("New York", "newyork"), ("Ｎｅｗ　Ｙｏｒｋ", "newyork"),
     (" tokyo ", "tokyo"), ("Ｔｏｋｙｏ２", "tokyo2")],
)
def test_answers_are_compared_after_nfkc_and_case_folding(typed, stored):
    assert rules.normalize_answer(typed) == stored


@pytest.mark.parametrize(
    ("value", "says"),
    [("", "Enter the answer"), ("ポチ", "half-width letters"), ("po-chi", "half-width letters"),
     ("ｐｏｃｈｉ", "half-width"), ("a", "2 to 40"), ("a" * 41, "2 to 40")],
)
def test_answer_problems(value, says):
    assert says in rules.answer_problem(value)


def test_answer_may_have_spaces_between_words():
    assert rules.answer_problem("New York") is None


@pytest.mark.parametrize(
    ("day", "month", "word", "pin", "method"),
    [("15", "4", "", "", "birthday"), ("", "", "sakura", "2468", "word")],
)
def test_verification_with_one_way(day, month, word, pin, method):
    assert rules.verification_method(day, month, word, pin) == (method, {})


def test_all_four_fields_is_an_error_that_says_why():
    method, problems = rules.verification_method("15", "4", "sakura", "2468")
    assert method is None
    assert "all four fields" in problems["form"] and "only one way" in problems["form"]


@pytest.mark.parametrize(
    ("day", "month", "word", "pin", "field", "says"),
    [
        ("", "", "", "", "form", "or enter your auth word"),
        ("15", "", "", "", "birth_month", "month"),
        ("", "4", "", "", "birth_day", "day"),
        ("", "", "sakura", "", "auth_pin", "auth PIN"),
        ("", "", "", "2468", "auth_word", "auth word"),
        ("15", "4", "sakura", "", "form", "only one way"),
    ],
)
def test_incomplete_or_mixed_verification(day, month, word, pin, field, says):
    method, problems = rules.verification_method(day, month, word, pin)
    assert method is None and says in problems[field]


def test_pins_and_words_are_normalised():
    assert rules.normalize_pin("２４６８") == "2468"
    assert rules.normalize_pin(" 24 68 ") == "2468"
    assert rules.normalize_auth_word("ＳａＫｕＲａ") == "sakura"


def test_suggestions_follow_the_rules_and_avoid_taken_ids():
    taken_forms = set()

    def taken(candidates):
        # Half of everything offered is "taken", to make the function work for its answer.
        result = {c.casefold() for c in candidates[::2]}
        taken_forms.update(result)
        return result

    suggestions = rules.suggest_user_ids("Tanaka", taken, rng=random.Random(7))
    assert len(suggestions) == 3
    assert len({s.casefold() for s in suggestions}) == 3
    for suggestion in suggestions:
        assert rules.user_id_problem(suggestion) is None
        assert suggestion.casefold() not in taken_forms
        assert suggestion.casefold() != "tanaka"
        assert suggestion.startswith("Tanaka")


@pytest.mark.parametrize("wanted", ["a" * 20, "abcde", "Z9" * 10])
def test_suggestions_stay_within_the_length_limits(wanted):
    suggestions = rules.suggest_user_ids(wanted, lambda c: set(), rng=random.Random(1))
    assert len(suggestions) == 3
    assert all(rules.user_id_problem(s) is None for s in suggestions)


def test_no_suggestion_when_everything_is_taken():
    assert rules.suggest_user_ids("tanaka", lambda c: {x.casefold() for x in c}) == []


def test_birthdays():
    assert rules.valid_birthday(29, 2) and rules.valid_birthday(31, 12)
    assert not rules.valid_birthday(31, 4) and not rules.valid_birthday(1, 13)
