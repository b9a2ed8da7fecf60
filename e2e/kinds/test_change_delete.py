"""Change user (ENR-4) and delete user (ENR-5) in a real browser, in Japanese and English."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from e2e.a11y import violations
from portal.enrollment.models import Application

TEXT = {
    "ja": {"users": "ユーザー情報の入力", "changes": "アクセス権の設定",
           "approvers": "承認者情報の入力", "review": "お申し込み内容の確認",
           "done": "お申し込みを受け付けました", "change2": "変更2：日本", "japan": "追加 · 日本",
           "user_id_error": "半角英数字", "cg_error": "12桁を入力してください",
           "action_error": "「追加」または「削除」を選択してください。",
           "reason_error": "削除の理由を選択してください。",
           "notice": "5営業日以内に、ユーザーIDおよび関連するアクセス権の削除が完了します",
           "left": "退職した"},
    "en": {"users": "User information", "changes": "Access changes",
           "approvers": "Approver details", "review": "Review", "done": "Application received",
           "change2": "Change 2: Japan", "japan": "Add · Japan", "user_id_error": "half-width letters or digits",
           "cg_error": "Enter exactly 12 digits", "action_error": "Choose Add or Remove.",
           "reason_error": "Choose the reason for deleting the user.",
           "notice": "Within 5 business days of receiving the application",
           "left": "Left the company"},
}
APPLICANT = {"applicant-family_name": "山田", "applicant-given_name": "花子",
             "applicant-email": "pa@example.co.jp", "applicant-phone": "03-1234-5678",
             "applicant-company": "Example KK"}


def fill(page: Page, values: dict[str, str]) -> None:
    for testid, value in values.items():
        page.get_by_test_id(testid).fill(value)


def start(page: Page, base_url: str, lang: str, way: str) -> None:
    page.goto(f"{base_url}/enroll/?lang={lang}")
    page.get_by_test_id(f"way-{way}").click()
    page.get_by_test_id("wizard-start-button").click()
    expect(page.get_by_test_id("wizard")).to_have_attribute("data-kind", way)


def add_change(page: Page, i: int, j: int, country: str, functions: list[str], rest: str,
               action: str = "add", roles: dict[str, str] | None = None) -> None:
    page.get_by_test_id(f"add-change-{i}").click()
    expect(page.get_by_test_id(f"change-entry-{i}-{j}").locator("summary")).to_be_focused()
    if action:
        page.get_by_test_id(f"u{i}-a{j}-action-{action}").check()
    page.get_by_test_id(f"u{i}-a{j}-country").select_option(country)
    expect(page.get_by_test_id(f"u{i}-a{j}-cg_rest-prefix")).to_be_visible()
    for code in functions:
        page.get_by_test_id(f"u{i}-a{j}-functions-{code}").check()
    for code, role in (roles or {}).items():
        page.get_by_test_id(f"u{i}-a{j}-role_{code}").select_option(role)
    page.get_by_test_id(f"u{i}-a{j}-cg_rest").fill(rest)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_change_two_users_from_start_to_pdf(page: Page, base_url, lang, expected_422,
                                            enroll_engine):
    start(page, base_url, lang, "change")
    expect(page.get_by_test_id("step-title")).to_have_text(TEXT[lang]["users"])
    page.evaluate("window.__noReload = 1")
    page.get_by_test_id("applicant-mode-pa").check()
    fill(page, {"applicant-user_id": "samplepa", **APPLICANT, "u0-user_id": "x"})
    page.get_by_test_id("add-user").click()
    expect(page.locator("#user-1 > legend")).to_be_focused()
    page.get_by_test_id("u1-user_id").fill("samplecontact")
    page.get_by_test_id("add-user").click()
    page.get_by_test_id("u2-user_id").fill("extra0001")
    page.get_by_test_id("remove-user-2").click()
    expect(page.get_by_test_id("u2-user_id")).to_have_count(0)
    assert page.evaluate("window.__noReload") == 1  # users came and went in place
    page.get_by_test_id("wizard-next").click()

    # A user ID of the wrong form: the message sits next to the field, nothing is lost.
    expect(page.get_by_test_id("u0-user_id-error")).to_contain_text(
        TEXT[lang]["user_id_error"])
    expect(page.get_by_test_id("u0-user_id")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("u1-user_id")).to_have_value("samplecontact")
    page.get_by_test_id("u0-user_id").fill("former01")
    page.get_by_test_id("wizard-next").click()

    expect(page.get_by_test_id("step-title")).to_have_text(TEXT[lang]["changes"])
    page.evaluate("window.__noReload = 2")
    add_change(page, 0, 0, "JP", ["REPORTING"], "000000000001")
    expect(page.get_by_test_id("u0-a0-cg_rest-prefix")).to_have_text("392")
    # The entry's heading names the chosen country at once (no reload).
    expect(page.get_by_test_id("change-summary-0-0")).to_contain_text(TEXT[lang]["japan"])
    expect(page.get_by_test_id("u0-a0-country").locator("option[value=HK]")).to_have_count(0)
    add_change(page, 0, 1, "SG", ["OPM"], "000000000002", action="remove")
    page.get_by_test_id("remove-change-0-0").click()
    expect(page.get_by_test_id("change-entry-0-1")).to_have_count(0)
    expect(page.get_by_test_id("u0-a0-country")).to_have_value("SG")  # renumbered
    add_change(page, 0, 1, "JP", ["OPM"], "00000000001", action="")  # short, no action
    add_change(page, 1, 0, "JP", ["OCA"], "000000000003", roles={"OCA": "APPROVER"})
    assert page.evaluate("window.__noReload") == 2  # every piece came in place
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("u0-a1-cg_rest-error")).to_contain_text(TEXT[lang]["cg_error"])
    expect(page.get_by_test_id("u0-a1-action-error")).to_have_text(
        re.compile(re.escape(TEXT[lang]["action_error"])))
    expect(page.get_by_test_id("u0-a1-cg_rest")).to_have_value("00000000001")  # kept
    page.get_by_test_id("u0-a1-cg_rest").fill("000000000001")
    page.get_by_test_id("u0-a1-action-add").check()
    page.get_by_test_id("wizard-next").click()

    # The Program Administrator approves their own change: details filled in; terms agreed.
    expect(page.get_by_test_id("step-title")).to_have_text(TEXT[lang]["approvers"])
    expect(page.get_by_test_id("approver-self-notice")).to_be_visible()
    expect(page.get_by_test_id("ap-JP-0-0-email")).to_have_value("pa@example.co.jp")
    expect(page.get_by_test_id("ap-JP-1-0-user_id")).to_have_value("samplepa")  # OCA
    page.get_by_test_id("open-terms-JP-0-0").click()
    expect(page.get_by_test_id("terms-dialog")).to_be_visible()
    page.get_by_test_id("terms-close").click()
    for pair in ("SG-0", "JP-0", "JP-1"):
        page.get_by_test_id(f"ap-{pair}-0-agree").check()
    page.get_by_test_id("wizard-next").click()

    expect(page.get_by_test_id("step-title")).to_have_text(TEXT[lang]["review"])
    expect(page.get_by_test_id("summary-user-0-change-1")).to_contain_text(
        TEXT[lang]["change2"])
    # A change's own link opens that change (closed on the step page) with the focus on it.
    page.get_by_test_id("change-user-0-change-1").click()
    entry = page.get_by_test_id("change-entry-0-1")
    expect(entry).to_have_attribute("open", "")
    expect(entry.locator("summary")).to_be_focused()
    expect(page.get_by_test_id("change-entry-0-0")).not_to_have_attribute("open", "")
    page.get_by_test_id("wizard-save-review").click()
    page.get_by_test_id("change-user-1").click()
    page.get_by_test_id("u1-user_id").fill("samplecontact2")
    page.get_by_test_id("wizard-save-review").click()
    expect(page.get_by_test_id("summary-user-1-user_id")).to_have_text("samplecontact2")
    page.get_by_test_id("wizard-submit").dblclick()
    expect(page.locator("h1")).to_have_text(TEXT[lang]["done"])
    reference = page.get_by_test_id("reference-number").inner_text()
    assert re.fullmatch(r"C-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", reference)
    expect(page.get_by_test_id("change-notice")).to_be_visible()
    with Session(enroll_engine) as session:
        application = session.scalars(select(Application).where(
            Application.reference == reference)).one()
        assert application.language == lang
        assert [u["user_id"] for u in application.data["users"]] == ["former01",
                                                                    "samplecontact2"]
        assert application.data["users"][0]["changes"][1] == {
            "country": "JP", "action": "add", "control_group": "392000000000001",
            "functions": [{"function": "OPM", "role": None}]}
    with page.expect_download() as download_info:
        page.get_by_test_id("download-pdf").click()
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert reference in "".join(p.extract_text() for p in reader.pages)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_delete_a_user_with_the_five_day_notice(page: Page, base_url, lang, expected_422,
                                                enroll_engine):
    start(page, base_url, lang, "delete")
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("del-reason-error")).to_contain_text(TEXT[lang]["reason_error"])
    expect(page.get_by_test_id("del-reason")).to_have_attribute("aria-invalid", "true")
    fill(page, {"del-user_id": "former01", "applicant-user_id": "samplepa", **APPLICANT})
    page.get_by_test_id("del-reason").select_option("OTHER")
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("del-reason_note-error")).to_be_visible()
    expect(page.get_by_test_id("del-user_id")).to_have_value("former01")  # kept
    page.get_by_test_id("del-reason").select_option("LEFT_COMPANY")
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("summary-deletion-reason")).to_have_text(TEXT[lang]["left"])
    page.get_by_test_id("wizard-submit").click()
    expect(page.get_by_test_id("delete-notice")).to_contain_text(TEXT[lang]["notice"])
    reference = page.get_by_test_id("reference-number").inner_text()
    assert reference.startswith("D-")
    with Session(enroll_engine) as session:
        data = session.scalars(select(Application).where(
            Application.reference == reference)).one().data
        assert data["applicant"]["mode"] is None and data["user_id"] == "former01"
    expect(page.get_by_test_id("download-pdf")).to_be_visible()


def test_removing_a_function_hides_its_role(page: Page, base_url):
    start(page, base_url, "ja", "change")
    page.get_by_test_id("applicant-mode-other").check()
    fill(page, {**APPLICANT, "u0-user_id": "target01"})
    page.get_by_test_id("wizard-next").click()
    add_change(page, 0, 0, "JP", ["OCA"], "000000000001", action="remove")
    role = page.get_by_test_id("u0-a0-role_OCA")
    expect(role).to_be_hidden()  # a removed function goes with whatever role it had
    # The entry's heading follows what is chosen, without a reload.
    summary = page.get_by_test_id("change-summary-0-0")
    page.get_by_test_id("u0-a0-cg_rest").blur()
    expect(summary).to_have_text("削除 · 日本 · 392000000000001 · オンライン・カード申請")
    page.get_by_test_id("u0-a0-action-add").check()
    expect(role).to_be_visible()
    expect(summary).to_have_text(re.compile(r"^追加 · 日本"))
    page.get_by_test_id("u0-a0-action-remove").check()
    expect(role).to_be_hidden()
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("step-title")).to_have_text(TEXT["ja"]["approvers"])


@pytest.mark.parametrize("way", ["change", "delete"])
def test_narrow_window_fits(page: Page, base_url, way, expected_422):
    page.set_viewport_size({"width": 375, "height": 800})
    start(page, base_url, "ja", way)
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    if way == "change":
        page.get_by_test_id("applicant-mode-other").check()
        fill(page, {**APPLICANT, "u0-user_id": "target01"})
        page.get_by_test_id("wizard-next").click()
        add_change(page, 0, 0, "JP", ["OCA", "STATEMENTS"], "000000000001")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=f"/tmp/kinds-375-{way}.png", full_page=True)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_change_and_delete_pages_pass_axe(browser, base_url, lang):
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script
    page = context.new_page()
    for way in ("change", "delete"):
        page.goto(f"{base_url}/enroll/{way}/?lang={lang}")
        assert violations(page) == []
        page.get_by_test_id("wizard-start-button").click()
        page.get_by_test_id("wizard-next").click()
        page.get_by_test_id("error-summary").wait_for()
        assert violations(page) == [], way
        if way == "change":
            page.get_by_test_id("applicant-mode-other").check()
            fill(page, {**APPLICANT, "u0-user_id": "target01"})
            page.get_by_test_id("wizard-next").click()
            add_change(page, 0, 0, "JP", ["OCA"], "000000000001", roles={"OCA": "APPROVER"})
            assert violations(page) == [], "changes"
            page.get_by_test_id("wizard-next").click()
            page.get_by_test_id("pair-JP-0").wait_for()
            assert violations(page) == [], "approvers"
        page.goto(f"{base_url}/enroll/{way}/step/review")
        assert violations(page) == [], f"{way} review"
    context.close()
