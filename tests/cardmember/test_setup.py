"""OS-1: setting up online access with the card. A wrong card never says which part was
wrong; attempts are limited per card and per address; a card already set up is told to
sign in; the login ID is issued and the password follows REG-4."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.services.common import Limits
from portal.cardmember import setup
from portal.cardmember.models import Cardmember

from .conftest import CODE, KEY

LIMITS = Limits(registration_max_attempts=3, address_max_failures=5)


def messages(error):
    return {k: str(v) for k, v in error.value.errors.items()}


def test_the_card_is_found_from_its_number_typed_any_way(holder, db_session, app):
    _person, card, _other, (number, _n2) = holder
    spaced = f"{number[:4]} {number[4:10]}-{number[10:]}"
    wide = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    with app.test_request_context("/?lang=en"):
        for typed in (number, spaced, wide):
            assert setup.find_card(db_session, typed, "４８２１", KEY, "10.0.0.1", LIMITS).id == card.id


@pytest.mark.parametrize(("number", "code", "field", "words"), [
    ("", "4821", "number", "Enter the 15-digit number"),
    ("1234", "4821", "number", "A card number has 15 digits"),
    ("379123450000031", "4821", "number", "A card number has 15 digits"),  # Luhn fails
    ("VALID", "", "code", "Enter the 4-digit security code"),
    ("VALID", "48", "code", "The security code has 4 digits"),
])
def test_badly_typed_details_are_said_next_to_the_field(holder, db_session, app, number, code,
                                                         field, words):
    number = holder[3][0] if number == "VALID" else number
    with app.test_request_context("/?lang=en"), pytest.raises(setup.SetupError) as error:
        setup.find_card(db_session, number, code, KEY, "10.0.0.2", LIMITS)
    assert words in messages(error)[field]


def test_a_wrong_pair_never_says_which_part_and_attempts_are_limited(holder, db_session, app):
    from tests.points.conftest import card_number

    number = holder[3][0]
    with app.test_request_context("/?lang=en"):
        said = set()
        for typed, code in ((number, "0000"), (card_number(), CODE)):
            with pytest.raises(setup.SetupError) as error:
                setup.find_card(db_session, typed, code, KEY, "10.0.0.3", LIMITS)
            said.add(messages(error)["number"])
        assert said == {str(setup.WRONG_CARD)}  # the same words for either mistake
        for code in ("1111", "2222"):  # the second and third wrong codes on this card
            with pytest.raises(setup.SetupError):
                setup.find_card(db_session, number, code, KEY, "10.0.0.4", LIMITS)
        with pytest.raises(setup.SetupError) as error:  # now even the right code waits
            setup.find_card(db_session, number, CODE, KEY, "10.0.0.5", LIMITS)
        assert "Too many attempts" in messages(error)["number"]


def test_attempts_are_limited_per_address(holder, db_session, app):
    from tests.points.conftest import card_number

    with app.test_request_context("/?lang=en"):
        for _ in range(LIMITS.address_max_failures):
            with pytest.raises(setup.SetupError):
                setup.find_card(db_session, card_number(), CODE, KEY, "10.9.9.9", LIMITS)
        with pytest.raises(setup.SetupError) as error:
            setup.find_card(db_session, holder[3][0], CODE, KEY, "10.9.9.9", LIMITS)
        assert "Too many attempts" in messages(error)["number"]
        assert setup.find_card(db_session, holder[3][0], CODE, KEY, "10.9.9.8", LIMITS)


def test_identity_then_login_id_and_password(holder, db_session, app):
    person, card, _other, _numbers = holder
    with app.test_request_context("/?lang=en"):
        with pytest.raises(setup.SetupError) as error:
            setup.check_identity(db_session, card, "1985", "4", "13", "10.0.0.6", LIMITS)
        assert messages(error)["birth_year"] == str(setup.WRONG_IDENTITY)
        with pytest.raises(setup.SetupError) as error:
            setup.check_identity(db_session, card, "1985", "2", "30", "10.0.0.6", LIMITS)
        assert "year, month and day" in messages(error)["birth_year"]
        found = setup.check_identity(db_session, card, "１９８５", "4", "12", "10.0.0.6", LIMITS)
        assert found.id == person.id
        login_id = setup.issue_login_id(db_session)
        assert re.fullmatch(r"cm\d{7}", login_id)
        from portal.accounts.services.common import AccountError

        with pytest.raises(AccountError) as error:
            setup.complete(db_session, person, login_id, "short", "FIRST_PET", "pochi", "en")
        assert "password" in error.value.errors
        user = setup.complete(db_session, db_session.get(Cardmember, person.id), login_id,
                              "Takahashi85", "FIRST_PET", "pochi", "ja")
    assert (user.user_id, user.status, user.language) == (login_id, "active", "ja")
    assert user.password_hash.startswith("$argon2id$")
    assert db_session.get(Cardmember, person.id).user_id == user.id
    with app.test_request_context("/?lang=en"), pytest.raises(setup.SetupError) as error:
        setup.find_card(db_session, holder[3][1], CODE, KEY, "10.0.0.7", LIMITS)  # second card
    assert error.value.signed_up and "Sign in" in messages(error)["number"]
    assert db_session.scalar(select(User).where(User.user_id == login_id)) is not None
