"""Sample corporate rewards program (a step of ``flask --app portal seed-sample``).

It reproduces the brochure's example over the last twelve months: employee A (the sample
PA, ``samplepa``) and employee B (``samplecontact``, also a designated third party) each
charge 5,000,000 yen and employee C 1,000,000 yen, so the company earns
50,000 + 50,000 + 10,000 = 110,000 points. Running it again changes nothing.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.rewards import programs
from portal.rewards.cards import with_check_digit
from portal.rewards.points import add_months
from portal.rewards.program import Company
from portal.rewards.statements import COLUMNS, import_statement
from portal.workdays import JAPAN

COMPANY = "サンプル商事株式会社"
CARDS = {  # employee: (card number, product, name on the card, yen over 12 months)
    "A": (with_check_digit("37912345" + "000001"), "gold_corporate", "HANAKO YAMADA",
          5_000_000),
    "B": (with_check_digit("37912345" + "000002"), "corporate", "JIRO SATO", 5_000_000),
    "C": (with_check_digit("37912345" + "000003"), "corporate", "SABURO TAKAHASHI",
          1_000_000),
}
MERCHANTS = [("サンプルホテル東京", "7011"), ("ステーショナリー丸の内", "5943"),
             ("Sample Electronics", "5732"), ("レストラン・サンプル", "5812")]


def _amounts(total: int, parts: int) -> list[int]:
    """``parts`` amounts in whole hundreds of yen adding up to ``total``."""
    each = total // parts // 100 * 100
    return [each] * (parts - 1) + [total - each * (parts - 1)]


def statement_csv(first_month: date, today: date) -> str:
    out = io.StringIO()
    out.write(",".join(COLUMNS) + "\n")
    for employee, (number, _product, _name, total) in CARDS.items():
        for i, amount in enumerate(_amounts(total, 12)):
            month = add_months(first_month, i)
            day = min(5 + i, 28) if month < today.replace(day=1) else max(1, min(today.day, 5))
            merchant, mcc = MERCHANTS[i % len(MERCHANTS)]
            if mcc == "7011":  # keep clear of the sample spring promotion on hotels
                merchant, mcc = MERCHANTS[1]
            out.write(f"SAMPLE-{employee}-{i + 1:02d},{number},{month.replace(day=day)},"
                      f"{merchant},{mcc},{amount},purchase\n")
    return out.getvalue()


def seed_program() -> str:
    session = db.session
    key = current_app.secret_key
    today = datetime.now(JAPAN).date()
    first_month = add_months(today.replace(day=1), -11)
    pa = session.scalar(select(User).where(User.user_id == "samplepa"))
    contact = session.scalar(select(User).where(User.user_id == "samplecontact"))
    if pa is None or contact is None:
        return "rewards program: skipped (the sample users are missing)"
    company = session.scalar(select(Company).where(Company.name == COMPANY))
    if company is None:
        number, product, name, _total = CARDS["A"]
        account = programs.create_program(
            session, company_name=COMPANY, pa_user=pa,
            pa_card=programs.NewCard(number, product, name), on=first_month, key=key,
            staff=None)
        for employee in ("B", "C"):
            number, product, name, _total = CARDS[employee]
            programs.enrol_card(session, account, programs.NewCard(
                number, product, name, contact.id if employee == "B" else None),
                first_month, key, None)
        programs.designate(session, account, contact, None)
        session.commit()
        company = session.scalar(select(Company).where(Company.name == COMPANY))
    result = import_statement(session, io.StringIO(statement_csv(first_month, today)),
                              "sample-statement.csv", key,
                              current_app.config["CORPORATE_TAX_YEN_PER_POINT"])
    session.commit()
    account = company.account
    cards = ", ".join(f"{e}: {n}" for e, (n, *_rest) in CARDS.items())
    return (f"rewards program: {COMPANY}, PA samplepa, third party samplecontact, balance "
            f"{account.balance:,} points ({result.imported} charges imported); cards {cards}")
