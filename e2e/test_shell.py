"""The shell in a real browser: menu, language switch, information buttons, no CSP errors."""

import re

import pytest
from playwright.sync_api import Page, expect

PAGES = {
    "/": {"ja": "法人カード管理者のための", "en": "for corporate card administrators"},
    "/privacy": {"ja": "オンラインプライバシーに関する声明", "en": "Privacy statement"},
    "/functions": {"ja": "ポータルの機能", "en": "Portal functions"},
    "/contact": {"ja": "お問い合わせ", "en": "Contact us"},
}


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("path", list(PAGES))
def test_shell_page(page: Page, base_url: str, path: str, lang: str):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{base_url}{path}?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_contain_text(PAGES[path][lang])
    menu = page.get_by_test_id("shell-menu")
    expect(menu.get_by_test_id("menu-privacy")).to_be_visible()
    expect(menu.get_by_test_id("menu-functions")).to_be_visible()
    expect(menu.get_by_test_id("menu-contact")).to_be_visible()
    # htmx comes from our own static path and is configured for the CSP.
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert f"{base_url}/static/vendor/htmx.min.js" in requests
    assert all(url.startswith(base_url) for url in requests), requests


def test_language_switch_changes_and_remembers(page: Page, base_url: str):
    page.goto(f"{base_url}/functions")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.get_by_test_id("lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/functions\?lang=en$"))
    expect(page.locator("h1")).to_have_text("Portal functions")
    page.get_by_test_id("menu-contact").click()
    expect(page.locator("h1")).to_have_text("Contact us")
    page.get_by_test_id("lang-ja").click()
    expect(page.locator("h1")).to_have_text("お問い合わせ")
    page.get_by_test_id("menu-privacy").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")


def test_english_browser_gets_english(browser, base_url: str):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{base_url}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    context.close()


@pytest.mark.parametrize(("lang", "text"), [("ja", "ページが見つかりません"), ("en", "Page not found")])
def test_not_found_page(page: Page, base_url: str, lang: str, text: str, request):
    request.node.allow_console_errors = True  # the browser logs the 404 status itself
    response = page.goto(f"{base_url}/nowhere?lang={lang}")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text(text)
    expect(page.get_by_test_id("shell-menu")).to_be_visible()


def test_information_button_opens_a_hint_in_place(page: Page, base_url: str):
    page.goto(f"{base_url}/functions?lang=en")
    button = page.get_by_test_id("control-group-info-button")
    panel = page.get_by_test_id("control-group-info")
    expect(panel).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    url = page.url
    button.click()
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("MCA")
    expect(button).to_have_attribute("aria-expanded", "true")
    assert page.url == url
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(button).to_be_focused()
    button.press("Enter")
    expect(panel).to_be_visible()


def test_narrow_window_keeps_menu_and_language_switch(browser, base_url: str):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{base_url}/functions")
    expect(page.get_by_test_id("menu-contact")).to_be_visible()
    expect(page.get_by_test_id("lang-en")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways: {width}px"
    context.close()
