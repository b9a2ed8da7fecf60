"""Sample cardmember (a step of ``flask --app portal seed-sample``): 高橋 三郎 holds the sample
company's card C and a second card D (enrolled today, so its earlier charges earned personal
rather than company points), with several months of charges and two not yet posted. Online
access is not set up, so the setup can be tried with the printed details. A purchase posted
on card D the day before it was enrolled (and the current month's charge on card C) can be
switched to revolving payment (OS-6); the cash advance posted with it cannot. Running it
again changes nothing.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from portal.cardmember.models import Cardmember, PendingCharge
from portal.cardmember.setup import security_code_hash
from portal.extensions import db
from portal.rewards import programs
from portal.rewards.cards import number_hash, with_check_digit
from portal.rewards.points import add_months
from portal.rewards.program import Card, Company
from portal.rewards.sample import CARDS, COMPANY
from portal.rewards.statements import COLUMNS, import_statement
from portal.workdays import JAPAN

BIRTH_DATE = date(1985, 4, 12)
CARD_D = with_check_digit("37912345" + "000004")
CODES = {"C": "4821", "D": "7305"}
LIMITS = {"C": 1_500_000, "D": 800_000}
D_CHARGES = [("JR東海 東京駅", "4112", 14_170), ("ビジネスホテル名古屋", "7011", 9_800),
             ("タクシー・サンプル", "4121", 2_460), ("カフェ・サンプル", "5814", 1_320)]


# Posted on card D the day before it joins the company's program (so they earn the company no
# points and the brochure's 110,000 stays as it is): a purchase that can be switched to
# revolving payment (OS-6) and a cash advance that cannot.
D_TODAY = [("家電サンプル 有楽町店", "5732", 64_800, "purchase"),
           ("ATM サンプル", "6011", 20_000, "cash_advance")]


def _d_statement(today: date) -> str:
    out = io.StringIO()
    out.write(",".join(COLUMNS) + "\n")
    posted = today - timedelta(days=1)
    for i, (merchant, mcc, amount, kind) in enumerate(D_TODAY):
        out.write(f"SAMPLE-D-0-{i},{CARD_D},{posted},{merchant},{mcc},{amount},{kind}\n")
    first = today.replace(day=1)
    for back in range(1, 5):  # the four months before this one
        month = add_months(first, -back)
        for i, (merchant, mcc, amount) in enumerate(D_CHARGES):
            out.write(f"SAMPLE-D-{back}-{i},{CARD_D},{month.replace(day=3 + 5 * i)},"
                      f"{merchant},{mcc},{amount + back * 100},purchase\n")
    return out.getvalue()


def seed_cardmember() -> str:
    session = db.session
    key = current_app.secret_key
    today = datetime.now(JAPAN).date()
    company = session.scalar(select(Company).where(Company.name == COMPANY))
    card_c = session.scalar(select(Card).where(Card.number_hash == number_hash(CARDS["C"][0],
                                                                               key)))
    if company is None or card_c is None:
        return "cardmember: skipped (the sample rewards program is missing)"
    holder = session.get(Cardmember, card_c.cardmember_id) if card_c.cardmember_id else None
    if holder is None:
        holder = Cardmember(family_name="高橋", given_name="三郎", birth_date=BIRTH_DATE,
                            email="saburo.takahashi@example.com", phone="090-1234-5678",
                            postal_code="100-0005", prefecture="東京都", city="千代田区",
                            street="丸の内1-1-1", building="サンプルビル 12階",
                            employer=COMPANY)
        session.add(holder)
        session.flush()
        card_d = programs.enrol_card(session, company.account, programs.NewCard(
            CARD_D, "jr_tokai_corporate", "SABURO TAKAHASHI"), today, key, None)
        for card, name in ((card_c, "C"), (card_d, "D")):
            card.cardmember_id = holder.id
            card.credit_limit = LIMITS[name]
            card.security_code_hash = security_code_hash(CODES[name], key)
        session.add_all([
            PendingCharge(card_id=card_c.id, reference="SAMPLE-PENDING-C-1", used_on=today,
                          merchant="ステーショナリー丸の内", amount=8_800),
            PendingCharge(card_id=card_d.id, reference="SAMPLE-PENDING-D-1", used_on=today,
                          merchant="JR東海 新大阪駅", amount=14_720),
        ])
        session.commit()
        import_statement(session, io.StringIO(_d_statement(today)), "sample-card-d.csv", key,
                         current_app.config["CORPORATE_TAX_YEN_PER_POINT"])
        session.commit()
    where = "set up" if holder.user_id else "not set up yet: /cardmember/setup"
    return (f"cardmember: 高橋 三郎, born {BIRTH_DATE.isoformat()}; card C {CARDS['C'][0]} "
            f"(security code {CODES['C']}), card D {CARD_D} (security code {CODES['D']}); "
            f"online access {where}")
