"""ENR-6 in a real browser, ja and en: the status and the business-day date, one answer for
a wrong pair, and the reason of a rejection."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from tests.application_factory import new_reference

# Friday 20 November 2026 in Japan; Monday 23 is a public holiday: due Monday 30 November.
SUBMITTED = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
TEXT = {
    "ja": {"h1": "お申し込み状況の確認", "status": "受付済み", "submitted": "2026年11月20日",
           "expected": "2026年11月30日", "nomatch": "一致するお申し込みが見つかりません",
           "rejected": "却下"},
    "en": {"h1": "Track an application", "status": "Received",
           "submitted": "November 20, 2026", "expected": "November 30, 2026",
           "nomatch": "We could not find an application", "rejected": "Rejected"},
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_track_status_and_wrong_pair(page: Page, office_server, application, lang,
                                     expected_422):
    reference = new_reference("new")
    application("new", reference=reference, submitted_at=SUBMITTED)
    url = office_server.url
    page.goto(f"{url}/?lang={lang}")
    page.get_by_test_id("home-track").get_by_role("link").click()
    expect(page.locator("h1")).to_have_text(TEXT[lang]["h1"])

    # A wrong email first: the one generic answer, focus on it, entries kept.
    page.get_by_test_id("track-reference").fill(reference.lower().replace("-", ""))
    page.get_by_test_id("track-email").fill("someone.else@example.test")
    page.get_by_test_id("track-submit").click()
    problem = page.get_by_test_id("track-problem")
    expect(problem).to_contain_text(TEXT[lang]["nomatch"])
    expect(problem).to_be_focused()
    expect(page.get_by_test_id("track-reference")).to_have_value(
        reference.lower().replace("-", ""))

    page.get_by_test_id("track-email").fill("YAMADA.TARO@example.test")
    page.get_by_test_id("track-submit").click()
    result = page.get_by_test_id("track-result")
    expect(result).to_be_visible()
    expect(page.get_by_test_id("track-problem")).to_have_count(0)
    expect(page.get_by_test_id("track-status")).to_have_text(TEXT[lang]["status"])
    expect(page.get_by_test_id("track-submitted")).to_have_text(TEXT[lang]["submitted"])
    expect(page.get_by_test_id("track-expected")).to_have_text(TEXT[lang]["expected"])
    expect(result).to_contain_text(reference)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_rejection_shows_its_reason(page: Page, office_server, application, lang):
    reference = new_reference("delete")
    application("delete", reference=reference, status="rejected", decided_at=SUBMITTED,
                decision_reason="削除するユーザーIDが登録されていません。")
    page.goto(f"{office_server.url}/applications/track?lang={lang}"
              f"&reference={reference}&email=yamada.taro@example.test")
    expect(page.get_by_test_id("track-status")).to_have_text(TEXT[lang]["rejected"])
    expect(page.get_by_test_id("track-reason")).to_have_text(
        "削除するユーザーIDが登録されていません。")


def test_tracking_fits_a_narrow_window(browser, office_server, application):
    reference = new_reference("new")
    application("new", reference=reference)
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{office_server.url}/applications/track?reference={reference}"
              "&email=yamada.taro@example.test")
    expect(page.get_by_test_id("track-result")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways: {width}px"
    context.close()
