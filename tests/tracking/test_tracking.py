"""ENR-6: tracking by reference number and email."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete

from portal.accounts.models import RateLimit
from portal.db import utcnow
from portal.tracking import services
from tests.application_factory import make_application

# Friday 2026-11-20 10:00 in Japan. Monday 23 November is Labour Thanksgiving Day, so five
# business days later is Monday 30 November (not Friday 27 as with weekends alone).
SUBMITTED = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_limits(db_session):
    db_session.execute(delete(RateLimit))
    db_session.commit()


@pytest.fixture
def application(db_session):
    return make_application(db_session, "new", reference="N-7K3Q-9XWP-2MDA",
                            submitted_at=SUBMITTED)


def lookup(client, reference="N-7K3Q-9XWP-2MDA", email="yamada.taro@example.test",
           lang="en", **kwargs):
    return client.get("/applications/track",
                      query_string={"reference": reference, "email": email, "lang": lang},
                      **kwargs)


@pytest.mark.parametrize("typed", [
    "N-7K3Q-9XWP-2MDA", "n7k3q9xwp2mda", " N 7K3Q 9XWP 2MDA ", "Ｎ－７Ｋ３Ｑ－９ＸＷＰ－２ＭＤＡ",
    "n‐7k3q‐9xwp‐2mda", "N-7K3Q-9XWP-2MDA".lower(), "Nー7K3Qー9XWPー2MDA",
])
def test_reference_with_or_without_hyphens_any_case_full_width(db_session, application, typed):
    found = services.find(db_session, typed, " YAMADA.Taro@example.TEST ")
    assert found is not None and found.id == application.id


def test_a_reference_in_another_shape_is_found_too(db_session):
    other = make_application(db_session, "change", reference="C-12-AB")
    assert services.find(db_session, "c12ab", "yamada.taro@example.test").id == other.id


def test_business_day_date_and_page(client, application):
    assert services.status_of(application).expected_on == date(2026, 11, 30)
    response = lookup(client)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-status="received"' in page
    assert 'data-testid="track-submitted">November 20, 2026<' in page
    assert 'data-testid="track-expected">November 30, 2026<' in page
    assert "We have your application." in page


def test_japanese_page(client, application):
    page = lookup(client, lang="ja").get_data(as_text=True)
    assert 'data-testid="track-expected">2026年11月30日<' in page
    assert "受付済み" in page


def test_one_answer_for_unknown_reference_and_wrong_email(client, application):
    wrong_email = lookup(client, email="someone.else@example.test")
    unknown = lookup(client, reference="N-AAAA-BBBB-CCCC")
    assert wrong_email.status_code == unknown.status_code == 422

    def answer(response):
        return re.search(r'data-testid="track-problem"[^>]*>(.*?)</div>', response.get_data(
            as_text=True), re.S).group(1).strip()

    assert answer(wrong_email) == answer(unknown)
    assert "We could not find an application" in answer(unknown)
    assert "track-result" not in wrong_email.get_data(as_text=True)


def test_status_words_and_the_rejection_reason(client, db_session):
    make_application(db_session, "delete", reference="D-RRRR-RRRR-RRRR", status="rejected",
                     submitted_at=SUBMITTED, decided_at=SUBMITTED + timedelta(days=2),
                     decision_reason="ユーザーIDが見つかりません。")
    make_application(db_session, "change", reference="C-IIII-IIII-IIII", status="in_review")
    make_application(db_session, "new", reference="N-CCCC-CCCC-CCCC", status="completed",
                     decided_at=utcnow())
    page = lookup(client, "D-RRRR-RRRR-RRRR").get_data(as_text=True)
    assert 'data-status="rejected"' in page
    assert 'data-testid="track-reason">ユーザーIDが見つかりません。<' in page
    assert 'data-testid="track-decided">November 22, 2026<' in page
    assert "track-expected" not in page
    assert re.search(r'href="/enroll/" data-testid="track-apply-again">Send a new application<',
                     page)  # "please send a new application": the way to it
    page = lookup(client, "C-IIII-IIII-IIII").get_data(as_text=True)
    assert "Our staff are checking your application now." in page and "track-reason" not in page
    assert "track-apply-again" not in page
    page = lookup(client, "N-CCCC-CCCC-CCCC").get_data(as_text=True)
    assert "Each new user receives two emails" in page


def test_late_applications_say_so(client, db_session):
    make_application(db_session, "new", reference="N-LLLL-LLLL-LLLL",
                     submitted_at=utcnow() - timedelta(days=30))
    assert 'data-testid="track-late"' in lookup(client, "N-LLLL-LLLL-LLLL").get_data(
        as_text=True)


def test_lookups_are_rate_limited_per_address(client, app, application):
    limit = app.config["TRACKING_MAX_LOOKUPS"]
    for _ in range(limit):
        assert lookup(client, email="wrong@example.test").status_code == 422
    response = lookup(client)  # even the right pair waits now
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "too many times" in page and "track-result" not in page
    assert re.search(r"Please wait 10 minutes", page)
    htmx = lookup(client, headers={"HX-Request": "true"})
    assert htmx.status_code == 422 and "too many times" in htmx.get_data(as_text=True)
    # Another address is not affected.
    other = client.get("/applications/track", query_string={
        "reference": "N-7K3Q-9XWP-2MDA", "email": "yamada.taro@example.test"},
        environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_the_window_passes(db_session, application):
    window = timedelta(minutes=10)
    start = utcnow()
    for _ in range(3):
        services.track(db_session, "x", "y@z", address="1.2.3.4", max_lookups=3, window=window,
                       now=start)
    assert services.track(db_session, "N7K3Q9XWP2MDA", "yamada.taro@example.test",
                          address="1.2.3.4", max_lookups=3, window=window,
                          now=start).outcome is services.Outcome.LIMITED
    later = services.track(db_session, "N7K3Q9XWP2MDA", "yamada.taro@example.test",
                           address="1.2.3.4", max_lookups=3, window=window,
                           now=start + window + timedelta(seconds=1))
    assert later.outcome is services.Outcome.FOUND


def test_a_link_with_the_reference_alone_fills_it_in_without_errors(client):
    response = client.get("/applications/track?reference=N-7K3Q-9XWP-2MDA&lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="N-7K3Q-9XWP-2MDA"' in page
    assert "error-summary" not in page and "track-problem" not in page
    assert re.search(r'<input[^>]*data-autofocus[^>]*id="email"|<input[^>]*id="email"[^>]*'
                     r'data-autofocus', page)  # the email is what is left to type
    assert "data-autofocus" not in client.get("/applications/track?lang=en").get_data(
        as_text=True)


def test_empty_form_and_bad_values(client):
    page = client.get("/applications/track?lang=en")
    assert page.status_code == 200 and "track-problem" not in page.get_data(as_text=True)
    response = lookup(client, reference="", email="not-an-email")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="reference-error"' in page and 'id="email-error"' in page
    assert 'value="not-an-email"' in page  # what was typed stays


def test_post_with_csrf_and_htmx_block(client, csrf, application):
    token = csrf("/applications/track")
    response = client.post("/applications/track?lang=en", data={
        "csrf_token": token, "reference": "n7k3q9xwp2mda", "email": "Yamada.Taro@Example.test"},
        headers={"HX-Request": "true", "X-CSRFToken": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="track-body"') and "<html" not in page
    assert 'data-testid="track-result"' in page
    assert client.post("/applications/track", data={
        "reference": "n7k3q9xwp2mda", "email": "yamada.taro@example.test"}).status_code == 400


def test_home_links_to_tracking(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert 'data-testid="home-track"' in page and 'href="/applications/track"' in page
