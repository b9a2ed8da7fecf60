"""Add new user in a real browser, in Japanese and English (ENR-1, ENR-2, ENR-3)."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.enrollment.models import Application, Draft

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TEXT = {
    "ja": {"users": "ユーザー情報の入力", "access": "アクセス権の設定", "approvers": "承認者情報の入力",
           "review": "お申し込み内容の確認", "done": "お申し込みを受け付けました", "japan": "日本",
           "india": "インド", "opm": "オンライン・プログラム・マネジメント",
           "discarded": "入力内容は破棄されました", "cg_error": "12桁を入力してください"},
    "en": {"users": "User information", "access": "Access", "approvers": "Approver details",
           "review": "Review", "done": "Application received", "japan": "Japan", "india": "India",
           "opm": "Online Program Management",
           "discarded": "Your entries were discarded", "cg_error": "Enter exactly 12 digits"},
}


def fill(page: Page, values: dict[str, str]) -> None:
    for testid, value in values.items():
        page.get_by_test_id(testid).fill(value)


def start(page: Page, base_url: str, lang: str) -> None:
    page.goto(f"{base_url}/enroll/?lang={lang}")
    page.get_by_test_id("way-new").click()
    page.get_by_test_id("wizard-start-button").click()
    expect(page.get_by_test_id("step-title")).to_have_text(TEXT[lang]["users"])


def fill_users(page: Page) -> None:
    fill(page, {"applicant-user_id": "samplepa", "applicant-family_name": "山田",
                "applicant-given_name": "花子", "applicant-email": "pa@example.co.jp",
                "applicant-phone": "03-1234-5678", "applicant-company": "Example KK",
                "u0-family_name": "佐藤", "u0-given_name": "一郎",
                "u0-email": "ichiro@example.co.jp"})
    page.get_by_test_id("u0-country").select_option("JP")
    page.get_by_test_id("u0-birth_day").select_option("3")
    page.get_by_test_id("u0-birth_month").select_option("4")
    expect(page.get_by_test_id("u0-address")).to_be_visible()  # Japan asks for the address
    fill(page, {"u0-postal_code": "100-0005", "u0-city": "千代田区", "u0-street": "丸の内1-1"})
    page.get_by_test_id("u0-prefecture").select_option("東京都")
    page.get_by_test_id("add-user").click()
    expect(page.locator("#user-1 > legend")).to_be_focused()
    fill(page, {"u1-family_name": "Kumar", "u1-given_name": "Ravi", "u1-email": "ravi@example.in",
                "u1-birth_year": "1980", "u1-auth_pin": "2468", "u1-auth_word": "mango1"})
    page.get_by_test_id("u1-country").select_option("IN")
    expect(page.get_by_test_id("u1-address")).to_be_hidden()
    page.get_by_test_id("u1-birth_day").select_option("12")
    page.get_by_test_id("u1-birth_month").select_option("11")
    page.get_by_test_id("u1-new_role").check()
    page.get_by_test_id("u1-program_role-pa").check()


def add_entry(page: Page, i: int, j: int, country: str, functions: list[str], rest: str,
              roles: dict[str, str] | None = None) -> None:
    page.get_by_test_id(f"add-access-{i}").click()
    entry = page.get_by_test_id(f"access-entry-{i}-{j}")
    expect(entry.locator("summary")).to_be_focused()  # settled: htmx is wired up
    page.get_by_test_id(f"u{i}-a{j}-country").select_option(country)
    expect(page.get_by_test_id(f"u{i}-a{j}-cg_rest-prefix")).to_be_visible()
    for code in functions:
        page.get_by_test_id(f"u{i}-a{j}-functions-{code}").check()
    for code, role in (roles or {}).items():
        page.get_by_test_id(f"u{i}-a{j}-role_{code}").select_option(role)
    page.get_by_test_id(f"u{i}-a{j}-cg_rest").fill(rest)


def fill_approver(page: Page, country: str, i: int, user_id: str = "") -> None:
    p = f"ap-{country}-{i}-0-"
    fill(page, {p + "family_name": "鈴木", p + "given_name": "次郎",
                p + "email": f"approver-{country.lower()}{i}@example.co.jp",
                p + "phone": "03-9876-5432"})
    if user_id:
        page.get_by_test_id(p + "user_id").fill(user_id)
    page.get_by_test_id(p + "agree").check()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_two_users_from_start_to_pdf(page: Page, base_url, lang, expected_422, enroll_engine,
                                     tmp_path):
    start(page, base_url, lang)
    page.evaluate("window.__noReload = 1")
    fill_users(page)
    page.get_by_test_id("wizard-next").click()

    # Step 2: entries added, one removed, one edited, countries reload their functions in place.
    expect(page.get_by_test_id("step-title")).to_have_text(TEXT[lang]["access"])
    expect(page.get_by_test_id("step-2")).to_have_attribute("aria-current", "step")
    page.evaluate("window.__noReload = 2")
    add_entry(page, 0, 0, "JP", ["OPM"], "000000000001")
    add_entry(page, 1, 0, "JP", ["REPORTING"], "000000000002")
    expect(page.get_by_test_id("u1-a0-role_REPORTING")).to_have_count(0)  # no approval roles
    add_entry(page, 1, 1, "IN", ["OCA"], "000000000003", {"OCA": "APPROVER"})
    expect(page.get_by_test_id("u1-a1-cg_rest-prefix")).to_have_text("356")
    expect(page.get_by_test_id("access-summary-1-1")).to_contain_text(TEXT[lang]["india"])
    page.get_by_test_id("u1-a1-functions-OPM").check()
    expect(page.get_by_test_id("access-summary-1-1")).to_contain_text(TEXT[lang]["opm"])
    page.get_by_test_id("u1-a1-functions-OPM").uncheck()
    expect(page.get_by_test_id("u1-a1-functions-CARD_CONTROLS")).to_have_count(0)
    add_entry(page, 1, 2, "SG", ["OPM"], "000000000004")
    page.get_by_test_id("remove-access-1-1").click()
    expect(page.get_by_test_id("access-entry-1-2")).to_have_count(0)
    expect(page.get_by_test_id("u1-a1-country")).to_have_value("SG")  # renumbered
    page.get_by_test_id("remove-access-1-1").click()
    expect(page.get_by_test_id("access-entry-1-1")).to_have_count(0)
    add_entry(page, 1, 1, "IN", ["OCA"], "00000000003", {"OCA": "APPROVER"})  # one digit short
    assert page.evaluate("window.__noReload") == 2  # every piece came in place
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text(TEXT[lang]["cg_error"])
    expect(page.get_by_test_id("u1-a1-cg_rest")).to_have_value("00000000003")  # kept
    page.get_by_test_id("u1-a1-cg_rest").fill("000000000003")
    page.get_by_test_id("wizard-next").click()

    # Step 3, then back to step 2 to open and edit a saved entry.
    expect(page.get_by_test_id("step-title")).to_have_text(TEXT[lang]["approvers"])
    page.get_by_test_id("wizard-back").click()
    entry = page.get_by_test_id("access-entry-0-0")
    expect(entry).not_to_have_attribute("open", "")
    entry.locator("summary").click()
    page.get_by_test_id("u0-a0-functions-REPORTING").check()
    page.get_by_test_id("wizard-next").click()

    expect(page.get_by_test_id("pair-IN-1")).to_be_visible()
    fill_approver(page, "JP", 0)
    fill_approver(page, "JP", 1)
    fill_approver(page, "IN", 1, user_id="samplepa")
    page.get_by_test_id("open-terms-IN-1-0").click()
    expect(page.get_by_test_id("terms-dialog")).to_be_visible()
    page.get_by_test_id("terms-close").click()
    expect(page.get_by_test_id("terms-dialog")).to_be_hidden()
    document = tmp_path / "authorization.pdf"
    document.write_bytes(PDF)
    page.get_by_test_id("doc-IN-1-document").set_input_files(str(document))
    page.get_by_test_id("wizard-next").click()

    # Step 4: review, change a field through its change link, come back.
    expect(page.get_by_test_id("step-title")).to_have_text(TEXT[lang]["review"])
    expect(page.get_by_test_id("summary-user-0-access-0-functions")).to_contain_text("OPM")
    expect(page.get_by_test_id("summary-documents")).to_contain_text("authorization.pdf")
    page.get_by_test_id("change-user-0").click()
    page.get_by_test_id("u0-given_name").fill("次郎")
    page.get_by_test_id("wizard-save-review").click()
    expect(page.get_by_test_id("step-title")).to_have_text(TEXT[lang]["review"])
    expect(page.get_by_test_id("summary-user-0-name")).to_have_text("佐藤 次郎")
    expect(page.get_by_test_id("summary-user-0-country")).to_have_text(TEXT[lang]["japan"])
    key = page.locator("input[name=submit_key]").get_attribute("value")
    token = page.locator("form[data-testid=submit-form] input[name=csrf_token]").get_attribute(
        "value")
    with Session(enroll_engine) as session:
        before = session.scalar(select(func.count()).select_from(Application))

    # A double click and a resent form give one application.
    page.get_by_test_id("wizard-submit").dblclick()
    expect(page.get_by_test_id("wizard-done")).to_be_visible()
    expect(page.locator("h1")).to_have_text(TEXT[lang]["done"])
    reference = page.get_by_test_id("reference-number").inner_text()
    assert re.fullmatch(r"N-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", reference)
    resent = page.request.post(f"{base_url}/enroll/new/submit",
                               form={"submit_key": key, "csrf_token": token})
    assert resent.ok and reference in resent.text()
    with Session(enroll_engine) as session:
        assert session.scalar(select(func.count()).select_from(Application)) == before + 1
        application = session.scalars(select(Application).where(
            Application.reference == reference)).one()
        assert application.language == lang and len(application.documents) == 1
        assert application.data["users"][0]["access"][0]["functions"] == [
            {"function": "OPM", "role": None}, {"function": "REPORTING", "role": None}]
    expect(page.get_by_test_id("training-offer")).to_be_visible()
    expect(page.get_by_test_id("summary-approver-2-consent")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_test_id("download-pdf").click()
    path = download_info.value.path()
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(Path(path).read_bytes()))
    content = "".join(p.extract_text() for p in reader.pages)
    assert reference in content and "佐藤" in content and TEXT[lang]["japan"] in content


def test_narrow_window_steps_fit(page: Page, base_url, expected_422):
    page.set_viewport_size({"width": 375, "height": 800})
    start(page, base_url, "ja")
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    expect(page.get_by_test_id("form-timer")).to_be_visible()


@pytest.fixture(scope="module")
def short_server(start_server):
    return start_server("short", PORTAL_FORM_TIME_LIMIT="14", PORTAL_FORM_WARNING="10",
                        PORTAL_FORM_MAX_EXTENSIONS="1")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_time_limit_warns_extends_and_discards(page: Page, short_server, lang):
    page.goto(f"{short_server.url}/enroll/new/?lang={lang}")
    page.get_by_test_id("wizard-start-button").click()
    dialog = page.get_by_test_id("timeout-dialog")
    expect(dialog).to_be_visible(timeout=8000)
    expect(page.get_by_test_id("timeout-live")).not_to_be_empty()
    page.get_by_test_id("timeout-extend").click()
    expect(dialog).to_be_hidden()
    remaining = page.get_by_test_id("form-timer-value").inner_text()
    assert int(remaining.split(":")[1]) >= 11  # the server moved the deadline
    expect(dialog).to_be_visible(timeout=8000)  # warns again before the new deadline
    expect(page.get_by_test_id("timeout-no-more")).to_be_visible()  # only one extension
    expect(page.get_by_test_id("wizard-expired")).to_be_visible(timeout=15000)
    expect(page.locator("h1")).to_have_text(TEXT[lang]["discarded"])
    page.goto(f"{short_server.url}/enroll/new/step/users")
    expect(page.get_by_test_id("wizard-start")).to_be_visible()  # nothing is left


def test_a_closed_warning_can_be_opened_again_from_the_timer(page: Page, short_server):
    """Esc closes the warning; the timer then offers it again, so Extend stays in reach."""
    page.goto(f"{short_server.url}/enroll/change/?lang=ja")
    page.get_by_test_id("wizard-start-button").click()
    dialog = page.get_by_test_id("timeout-dialog")
    reopen = page.get_by_test_id("form-timer-extend")
    expect(reopen).to_be_hidden()
    expect(dialog).to_be_visible(timeout=8000)
    expect(reopen).to_be_hidden()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(reopen).to_be_visible()
    expect(reopen).to_have_text("時間を延長")
    reopen.click()
    expect(dialog).to_be_visible()
    expect(page.get_by_test_id("timeout-extend")).to_be_focused()
    page.get_by_test_id("timeout-extend").click()
    expect(dialog).to_be_hidden()
    expect(reopen).to_be_hidden()
    # Leave no draft behind on the shared server (another test counts them): the warning
    # comes back before the new deadline, and its Discard ends the application.
    expect(dialog).to_be_visible(timeout=8000)
    page.get_by_test_id("timeout-discard").click()
    page.wait_for_url("**/enroll/")


def test_the_server_refuses_a_stale_draft_whatever_the_browser_does(browser, short_server):
    context = browser.new_context(java_script_enabled=False)  # no timer in the browser
    page = context.new_page()
    page.goto(f"{short_server.url}/enroll/new/?lang=en")
    page.get_by_test_id("wizard-start-button").click()
    page.get_by_test_id("applicant-family_name").fill("山田")
    engine_url = short_server.env["PORTAL_DATABASE_URL"]
    from portal.db import make_engine

    engine = make_engine(engine_url)
    with Session(engine) as session:  # this browser's draft: the newest (other tests share
        mine = session.scalars(      # the server and may leave drafts of their own)
            select(Draft.id).order_by(Draft.started_at.desc()).limit(1)).one()
    time.sleep(15)
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("wizard-expired")).to_be_visible()
    with Session(engine) as session:
        assert session.get(Draft, mine) is None
    engine.dispose()
    context.close()


def test_concurrent_submits_give_one_application(page: Page, base_url, enroll_engine):
    """Four submits of one review page at the same moment (two gunicorn threads each way)
    store one application and all answer with its reference."""
    import threading
    import urllib.error
    import urllib.parse
    import urllib.request

    start(page, base_url, "en")
    fill(page, {"applicant-family_name": "山田", "applicant-given_name": "花子",
                "applicant-email": "race@example.co.jp", "applicant-phone": "03-1234-5678",
                "applicant-company": "Example KK", "u0-family_name": "Lee",
                "u0-given_name": "Ann", "u0-email": "ann@example.sg"})
    page.get_by_test_id("u0-country").select_option("SG")
    page.get_by_test_id("u0-birth_day").select_option("1")
    page.get_by_test_id("u0-birth_month").select_option("2")
    page.get_by_test_id("wizard-next").click()
    add_entry(page, 0, 0, "SG", ["OPM"], "000000000001")
    page.get_by_test_id("wizard-next").click()
    fill_approver(page, "SG", 0)
    page.get_by_test_id("wizard-next").click()
    key = page.locator("input[name=submit_key]").get_attribute("value")
    token = page.locator("form[data-testid=submit-form] input[name=csrf_token]").get_attribute(
        "value")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    body = urllib.parse.urlencode({"submit_key": key, "csrf_token": token}).encode()

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(Stay)
    barrier = threading.Barrier(4)
    answers: list[tuple[int, str]] = []

    def submit():
        request = urllib.request.Request(f"{base_url}/enroll/new/submit", data=body,
                                         headers={"Cookie": cookie})
        barrier.wait(timeout=10)
        try:
            with opener.open(request) as response:
                answers.append((response.status, response.headers.get("Location", "")))
        except urllib.error.HTTPError as error:
            answers.append((error.code, error.headers.get("Location", "")))

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 4 and {status for status, _ in answers} == {303}, answers
    locations = {location for _, location in answers}
    assert len(locations) == 1, answers
    reference = locations.pop().rsplit("/", 1)[1]
    with Session(enroll_engine) as session:
        found = session.scalars(select(Application).where(
            Application.applicant_email == "race@example.co.jp")).all()
    assert [a.reference for a in found] == [reference]
