"""OS-2 to OS-4 through the pages, ja and en: the cards with their limits and the credit
still available, the month's statement with totals and pending charges told apart, the
CSV, a pending charge leaving once posted, and nobody else's cards."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select

from portal.cardmember import statement
from portal.cardmember.models import PendingCharge
from tests.points.test_program import rows, run_import
from tests.points.test_views import sign_in

from .conftest import CODE  # noqa: F401


def set_up(db_session, app, person, user_id="cmtest01"):
    from portal.cardmember import setup

    with app.test_request_context("/?lang=en"):
        setup.complete(db_session, person, user_id, "Takahashi85", "FIRST_PET", "pochi", "en")


def test_summaries_subtract_unpaid_and_pending(holder, db_session):
    person, card, other, _numbers = holder
    found = {s.card.id: s for s in statement.summaries(db_session, [card, other],
                                                        date(2026, 6, 25))}
    # 10,000 + 20,000 + 3,000 - 2,000 + 40,000 posted; 8,800 pending.
    assert (found[card.id].unpaid, found[card.id].pending) == (71_000, 8_800)
    assert found[card.id].available == 1_500_000 - 71_000 - 8_800
    assert found[other.id].available == 800_000
    assert found[card.id].points_this_year == 710  # 1 point per 100 yen, the credit taken back


def test_the_month_statement_totals_and_pages(holder, db_session):
    _person, card, _other, _numbers = holder
    may = statement.statement(db_session, card, date(2026, 5, 1))
    assert (may.charges, may.credits, may.total, may.count) == (23_000, -2_000, 21_000, 3)
    assert [r.merchant for r in may.rows][0] == "May Refund"  # newest first
    paged = statement.statement(db_session, card, date(2026, 5, 1), page=2, per_page=2)
    assert (paged.pages, len(paged.rows)) == (2, 1)


def test_the_csv_never_starts_a_cell_with_a_formula(holder, db_session):
    _person, card, _other, _numbers = holder
    text = statement.statement_csv(db_session, card, date(2026, 5, 1))
    assert text.startswith("\ufeff")
    found = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert found[0] == list(statement.CSV_COLUMNS)
    assert ["2026-05-09", "'=cmd|' /C calc'!A0", "3000", "purchase", "R2"] in found


def test_a_posted_charge_is_no_longer_pending(holder, db_session):
    _person, _card, _other, (number, _n2) = holder
    run_import(db_session, rows(number, ("2026-06-22", "Pending Shop", 8_800, "purchase"),
                                prefix="P-"), name="june.csv")
    db_session.commit()
    assert db_session.scalar(select(PendingCharge)) is None


def test_pages_in_both_languages_and_csv(client, holder, db_session, app):
    person, card, other, _numbers = holder
    set_up(db_session, app, person)
    sign_in(client, "cmtest01", "Takahashi85")
    home = client.get("/cardmember/?lang=ja").get_data(as_text=True)
    assert home.count('data-testid="cm-card"') == 2 and "ご利用可能額" in home
    assert f'data-available="{1_500_000 - 71_000 - 8_800}"' in home
    page = client.get(f"/cardmember/statement?card={card.id}&month=2026-05&lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-total="21000"' in html and "May Shop" in html
    assert "Pending Shop" in html and 'data-testid="cm-pending"' in html
    ja = client.get(f"/cardmember/statement?card={card.id}&month=2026-05&lang=ja")
    assert "2026年5月" in ja.get_data(as_text=True)
    swap = client.get(f"/cardmember/statement?card={other.id}&month=2026-05",
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert swap.lstrip().startswith('<div id="statement-body"') and "<html" not in swap
    download = client.get(f"/cardmember/statement.csv?card={card.id}&month=2026-05")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "May Shop" in download.get_data(as_text=True)


def test_someone_else_sees_no_cards_and_cannot_pick_one(client, holder, db_session, app,
                                                        active_user):
    person, card, _other, _numbers = holder
    active_user("stranger1")
    sign_in(client, "stranger1")
    response = client.get(f"/cardmember/statement?card={card.id}&lang=en")
    assert response.status_code == 403 and "May Shop" not in response.get_data(as_text=True)
    assert client.get(f"/cardmember/statement.csv?card={card.id}").status_code == 403
