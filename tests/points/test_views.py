"""The PA's rewards pages: who sees the points (CMR-1), the history with its filters and CSV,
and the dashboard, in both languages."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from portal.rewards import programs

from .conftest import card_number
from .test_program import rows, run_import


def sign_in(client, user_id, password="Passw0rd#1"):
    page = client.get("/login?lang=en").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"csrf_token": token, "user_id": user_id,
                                           "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]


@pytest.fixture
def brochure(program, db_session, staff, active_user):
    """The brochure's example: A and B 5,000,000 yen each, C 1,000,000 yen."""
    third = active_user("helper01")
    account, number_a = program(on=date(2026, 1, 1), user_id="padmin01")
    number_b, number_c = card_number(), card_number()
    for number, name in ((number_b, "JIRO SATO"), (number_c, "SABURO TAKAHASHI")):
        programs.enrol_card(db_session, account, programs.NewCard(number, "corporate", name),
                            date(2026, 1, 1), "test-secret-key", staff)
    programs.designate(db_session, account, third, staff)
    text = rows(number_a, *[(f"2026-{m:02d}-10", "Shop", 416_600, "purchase") for m in range(1, 12)],
                ("2026-12-01", "Shop", 417_400, "purchase"), prefix="A")
    text += rows(number_b, ("2026-06-01", "Shop", 5_000_000, "purchase"), prefix="B").split("\n", 1)[1]
    text += rows(number_c, ("2026-07-01", "Shop", 1_000_000, "purchase"), prefix="C").split("\n", 1)[1]
    run_import(db_session, text)
    db_session.commit()
    return account


def test_the_pa_sees_the_balance_on_the_rewards_home(client, brochure):
    sign_in(client, "padmin01")
    html = client.get("/rewards/?lang=en").get_data(as_text=True)
    assert 'data-points="110000"' in html and "110,000 points" in html
    assert "Card charge: 1 point per 100 yen" in html
    latest = html.split('data-testid="points-latest"', 1)[1].split("</ul>", 1)[0]
    assert re.search(r'<span class="mono muted">\(\d{5}\)</span>', latest)  # which card
    html = client.get("/rewards/?lang=ja").get_data(as_text=True)
    assert "110,000ポイント" in html and "会社のポイント" in html


def test_a_designated_third_party_sees_them_too(client, brochure):
    sign_in(client, "helper01")
    assert 'data-points="110000"' in client.get("/rewards/?lang=en").get_data(as_text=True)
    assert client.get("/rewards/points/history").status_code == 200


def test_anyone_else_gets_a_polite_page(client, brochure, active_user):
    active_user("someone01")
    sign_in(client, "someone01")
    html = client.get("/rewards/?lang=en").get_data(as_text=True)
    assert 'data-testid="points-panel"' not in html and "rewards-no-program" in html
    for path in ("/rewards/points/history", "/rewards/points/dashboard",
                 "/rewards/points/history.csv"):
        response = client.get(path + "?lang=en")
        assert response.status_code == 403
        assert "Program Administrator" in response.get_data(as_text=True)
    assert "管理責任者" in client.get("/rewards/points/history?lang=ja").get_data(as_text=True)


def test_signed_out_readers_are_sent_to_sign_in(client, brochure):
    response = client.get("/rewards/points/history")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_history_filters_pages_and_bad_dates(client, brochure, app):
    sign_in(client, "padmin01")
    html = client.get("/rewards/points/history?lang=en").get_data(as_text=True)
    assert "14 entries" in html  # 12 + 1 + 1 earning entries
    html = client.get("/rewards/points/history?lang=en&start=2026-06-01&end=2026-07-31"
                      ).get_data(as_text=True)
    assert html.count('data-testid="points-row"') == 4  # A in June and July, B, C
    bad = client.get("/rewards/points/history?lang=en&start=2026-13-01&card=x")
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert "Enter a date like 2026-04-01." in body and 'value="2026-13-01"' in body
    assert "14 entries" in body  # the bad date is left out of the filter
    ja = client.get("/rewards/points/history?lang=ja&start=2026-12-01&end=2026-01-01")
    assert "終了日は開始日以降の日付にしてください。" in ja.get_data(as_text=True)
    app.config["REWARDS_PAGE_SIZE"] = 5
    try:
        page3 = client.get("/rewards/points/history?lang=en&page=3").get_data(as_text=True)
        assert "Page 3 of 3" in page3 and page3.count('data-testid="points-row"') == 4
    finally:
        app.config["REWARDS_PAGE_SIZE"] = 50
    swap = client.get("/rewards/points/history?kind=credit", headers={"HX-Request": "true"})
    assert "<html" not in swap.get_data(as_text=True) and "No entries match" in swap.get_data(as_text=True)


def test_csv_is_excel_friendly_and_follows_the_filter(client, brochure):
    sign_in(client, "padmin01")
    response = client.get("/rewards/points/history.csv?lang=ja&start=2026-06-01&end=2026-06-30")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0][:3] == ["日付", "種類", "ポイント"]
    assert sorted(int(r[2]) for r in table[1:]) == [4166, 50_000]


def test_the_dashboard_adds_up_to_the_brochure(client, brochure, monkeypatch):
    from portal.rewards import points_views

    monkeypatch.setattr(points_views, "today", lambda: date(2026, 12, 20))
    sign_in(client, "padmin01")
    html = client.get("/rewards/points/dashboard?lang=en").get_data(as_text=True)
    assert 'data-testid="dash-total" data-points="110000"' in html
    cards = dict(re.findall(r'data-testid="dash-card-row" data-card="(\d+)" data-points="(\d+)"', html))
    assert sorted(int(p) for p in cards.values()) == [10_000, 50_000, 50_000]
    assert html.count("<rect") == 12 + 3 and 'role="img"' in html
    assert "<title" in html  # every chart has a text alternative and a table
    ja = client.get("/rewards/points/dashboard?lang=ja").get_data(as_text=True)
    assert "12か月で110,000ポイント" in ja and "2026/12" in ja


def test_the_catalog_filters_within_the_company_balance(client, brochure, db_session):
    """A PA sees "within my balance" and gets only what 110,000 points pay for; anyone else
    sees no such choice, and the parameter changes nothing for them."""
    import re as re_

    from portal.rewards.models import CatalogItem

    def listed(html):
        return re_.findall(r'data-testid="catalog-item" data-item-no="([^"]+)"', html)

    assert 'data-testid="catalog-within"' not in client.get("/rewards/catalog?lang=en").get_data(as_text=True)
    everything = client.get("/rewards/catalog?lang=en&within=1&q=coffee").get_data(as_text=True)
    sign_in(client, "padmin01")
    page = client.get("/rewards/catalog?lang=en&q=coffee").get_data(as_text=True)
    assert 'data-testid="catalog-within"' in page and "110,000 points can pay for" in page
    within = client.get("/rewards/catalog?lang=en&q=coffee&within=1").get_data(as_text=True)
    prices = {i.item_no: i.points for i in db_session.query(CatalogItem)}
    assert listed(within) and all(prices[n] <= 110_000 for n in listed(within))
    assert set(listed(within)) < set(listed(everything))
    assert "D540-1282" in listed(everything) and "D540-1282" not in listed(within)  # 380,000
