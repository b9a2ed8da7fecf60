"""A cardmember with two cards of a rewards program, charges posted over three months and
one not yet posted; made through the services, as the sample does."""

from __future__ import annotations

from datetime import date

import pytest

from portal.cardmember.models import Cardmember, PendingCharge
from portal.cardmember.setup import security_code_hash
from portal.rewards import programs
from tests.points.conftest import (  # noqa: F401 (fixtures)
    KEY,
    active_user,
    card_number,
    fast_hashing,
    program,
    staff,
)
from tests.points.test_program import rows, run_import

BORN = date(1985, 4, 12)
CODE = "4821"


@pytest.fixture
def holder(program, db_session):  # noqa: F811 (the fixture imported above)
    """``(cardmember, card, other_card, numbers)``: limits 1,500,000 and 800,000 yen."""
    account, _pa_number = program(on=date(2026, 1, 5))
    person = Cardmember(family_name="高橋", given_name="三郎", birth_date=BORN,
                        email="saburo@example.com", phone="090-1234-5678",
                        postal_code="100-0005", prefecture="東京都", city="千代田区",
                        street="丸の内1-1-1", employer="サンプル商事")
    db_session.add(person)
    db_session.flush()
    numbers = [card_number(), card_number()]
    cards = []
    for number, limit in zip(numbers, (1_500_000, 800_000), strict=True):
        card = programs.enrol_card(db_session, account, programs.NewCard(
            number, "corporate", "SABURO TAKAHASHI"), date(2026, 1, 5), KEY, None)
        card.cardmember_id, card.credit_limit = person.id, limit
        card.security_code_hash = security_code_hash(CODE, KEY)
        cards.append(card)
    db_session.add(PendingCharge(card_id=cards[0].id, reference="P-0", used_on=date(2026, 6, 20),
                                 merchant="Pending Shop", amount=8_800))
    db_session.commit()
    run_import(db_session, rows(numbers[0], ("2026-04-03", "April Shop", 10_000, "purchase"),
                                ("2026-05-03", "May Shop", 20_000, "purchase"),
                                ("2026-05-09", "=cmd|' /C calc'!A0", 3_000, "purchase"),
                                ("2026-05-20", "May Refund", -2_000, "credit"),
                                ("2026-06-01", "June Shop", 40_000, "purchase")))
    db_session.commit()
    return person, cards[0], cards[1], numbers
