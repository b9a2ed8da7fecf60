"""Generated rewards data for the benchmark: the sample program grows to ``cards`` enrolled
cards, and a statement of ``transactions`` charges over the last 12 months is imported
through the real import service (``portal.rewards.statements``). Returns the import's time,
its rate and the peak memory (RSS) the process reached."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator
from datetime import datetime


def _lines(numbers: list[str], transactions: int, first) -> Iterator[str]:
    from portal.rewards.points import add_months

    yield "reference,card_number,posted_on,merchant,mcc,amount,kind\n"
    merchants = [("Bench Cafe", "5812"), ("Bench Office Supply", "5943"),
                 ("ENEOS Bench", "5541"), ("Bench Electronics", "5732")]
    for i in range(transactions):
        month = add_months(first, i % 12)
        day = 1 + (i // 12) % 27
        merchant, mcc = merchants[i % 4]
        kind, amount = ("credit", -(1_000 + i % 5_000)) if i % 50 == 0 else \
            ("purchase", 500 + (i * 7919) % 90_000)
        yield (f"BENCH-{i},{numbers[i % len(numbers)]},{month.replace(day=day).isoformat()},"
               f"{merchant},{mcc},{amount},{kind}\n")


def generate(database_url: str, cards: int, transactions: int) -> dict[str, float]:
    os.environ["PORTAL_DATABASE_URL"] = database_url
    from sqlalchemy import select

    from portal import create_app
    from portal.db import immediate
    from portal.extensions import db
    from portal.rewards import programs
    from portal.rewards.cards import with_check_digit
    from portal.rewards.points import add_months
    from portal.rewards.program import Card, Company
    from portal.rewards.sample import COMPANY
    from portal.rewards.statements import import_statement
    from portal.workdays import JAPAN

    app = create_app()
    with app.app_context():
        today = datetime.now(JAPAN).date()
        first = add_months(today.replace(day=1), -11)
        account = db.session.scalar(select(Company).where(Company.name == COMPANY)).account
        have = len(account.cards)
        for n in range(have, cards):
            programs.enrol_card(db.session, account, programs.NewCard(
                with_check_digit(f"3780{n:010d}"), "corporate", f"BENCH CARDMEMBER {n}"),
                first, app.secret_key, None)
        db.session.commit()
        numbers = [with_check_digit(f"3780{n:010d}") for n in range(have, cards)]
        assert db.session.scalar(select(Card).where(Card.account_id == account.id)) is not None
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        with immediate(db.session):
            result = import_statement(db.session, _lines(numbers, transactions, first),
                                      "bench.csv", app.secret_key,
                                      app.config["CORPORATE_TAX_YEN_PER_POINT"])
            db.session.commit()
        seconds = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "rate": result.imported / seconds, "imported": result.imported,
            "points": result.points, "rss_mb": rss_after / 1024,
            "rss_growth_mb": (rss_after - rss_before) / 1024}
