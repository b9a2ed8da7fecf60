"""View tests of the change-user wizard (ENR-4) with the Flask client."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.enrollment.models import Application, Draft
from tests.enrollment.conftest import approver_fields

from .conftest import KindWizard, change_applicant, change_fields


def text(response) -> str:
    return response.get_data(as_text=True)


def the_draft(db_session) -> Draft:
    db_session.expire_all()
    return db_session.scalars(select(Draft)).one()


def start_with_users(change, *user_ids, mode="pa"):
    change.start()
    data = change_applicant(mode)
    for i, user_id in enumerate(user_ids or ("target01",)):
        data[f"u{i}-user_id"] = user_id
    response = change.step("users", data)
    assert response.status_code == 303, change.errors(response)


def fill_all(change, registered_pa, *, mode="pa"):
    registered_pa()
    start_with_users(change, "target01", "other02", mode=mode)
    changes = {**change_fields(0, 0), **change_fields(0, 1, "JP", ("OPM",), action="remove"),
               **change_fields(1, 0, "IN", ("OCA",), "000000000003", OCA="APPROVER")}
    assert change.step("changes", changes).status_code == 303
    approvers = {**approver_fields("JP", 0), **approver_fields("IN", 1, user_id="testpa01")}
    response = change.step("approvers", approvers)
    assert response.status_code == 303, change.errors(response)


# --- landing and start ----------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["Add a new user", "Change a user", "Delete a user"]),
    ("ja", ["新規ユーザーの追加", "ユーザーの変更", "ユーザーの削除"]),
])
def test_the_landing_page_links_all_three_kinds(client, lang, words):
    page = text(client.get(f"/enroll/?lang={lang}"))
    for word in words:
        assert word in page
    for path in ("/enroll/new/", "/enroll/change/", "/enroll/delete/"):
        assert f'href="{path}"' in page


def test_the_change_wizard_has_four_steps_with_the_timer(change):
    change.start()
    for number, step in enumerate(("users", "changes", "approvers", "review"), start=1):
        page = text(change.get(f"/enroll/change/step/{step}"))
        current = re.search(r'<li class="step step--current" data-testid="step-(\d)" '
                            r'aria-current="step">', page)
        assert current and current.group(1) == str(number)
        assert 'id="form-timer"' in page and 'id="timeout-dialog"' in page


def test_the_radio_and_the_texts_are_in_japanese(client):
    wizard = KindWizard(client, "change", lang="ja")
    wizard.start()
    page = text(wizard.get("/enroll/change/step/users"))
    assert "既存の管理責任者としてアクセス権を変更する" in page
    assert "他のユーザーのアクセス権を変更する" in page
    assert "ご登録済みのユーザーID" in page and "ユーザーの追加" in page
    assert "残り時間：" in page and "残り時間:" not in page  # the warning, Japanese colon
    assert "Eメールアドレス" in page and "ご自身のユーザーID" in page


# --- step 1 ---------------------------------------------------------------------------------------

def test_user_ids_are_checked_for_their_format_only_and_nothing_is_lost(change, db_session):
    change.start()
    data = {**change_applicant("pa", **{"applicant-user_id": ""}), "u0-user_id": "ab",
            "u1-user_id": "nobody99", "u2-user_id": "NOBODY99"}
    response = change.step("users", data)
    assert response.status_code == 422
    assert change.errors(response) == ["applicant-user_id", "u0-user_id", "u2-user_id"]
    page = text(response)
    assert re.search(r'aria-describedby="[^"]*u0-user_id-error"', page)
    assert 'id="u0-user_id-error"' in page and "5 to 20 half-width" in page
    assert "User 2 has the same user ID" in page
    assert 'value="ab"' in page and 'value="nobody99"' in page and 'value="NOBODY99"' in page
    # No user is registered: an ID of the right form passes (existence is checked at approval,
    # so the form tells nobody which IDs exist).
    data.update({"applicant-user_id": "somepa01", "u0-user_id": "stranger1"})
    data.pop("u2-user_id")
    assert change.step("users", data).status_code == 303
    assert [u["user_id"] for u in the_draft(db_session).data["users"]] == ["stranger1",
                                                                           "nobody99"]


def test_who_applies_is_required_and_other_needs_no_user_id(change):
    change.start()
    data = {**change_applicant("other"), "applicant-mode": "", "u0-user_id": "target01"}
    response = change.step("users", data)
    assert change.errors(response) == ["applicant-mode"]
    data["applicant-mode"] = "other"
    assert change.step("users", data).status_code == 303


def test_add_user_and_remove_user_in_place(change, db_session):
    change.start()
    fragment = change.action("users", "add-user", {**change_applicant(), "u0-user_id": "a1234"})
    body = text(fragment)
    assert fragment.status_code == 200 and "<html" not in body
    assert 'id="u1-user_id"' in body and 'hx-swap-oob="true"' in body
    three = {**change_applicant(), "u0-user_id": "first01", "u1-user_id": "second02",
             "u2-user_id": "third03"}
    body = text(change.action("users", "remove-user", {**three, "user": "1"}))
    assert 'value="third03"' in body and 'id="u2-user_id"' not in body
    users = the_draft(db_session).data["users"]
    assert [u["user_id"] for u in users] == ["first01", "third03"]


# --- step 2 ---------------------------------------------------------------------------------------

def test_only_countries_where_access_can_change_are_offered(change):
    start_with_users(change)
    page = text(change.get("/enroll/change/step/changes"))
    assert 'data-testid="change-empty-0"' in page and 'data-testid="add-change-0"' in page
    fragment = text(change.fetch("changes", "add-access", "?user=0"))
    assert 'value="JP"' in fragment and 'value="SG"' in fragment
    assert 'value="HK"' not in fragment and 'value="GB"' not in fragment  # no access changes
    assert re.search(r'<input[^>]*name="u0-a0-action"[^>]*value="add"', fragment)
    response = change.step("changes", change_fields(0, 0, "HK", ("OPM",)))
    assert response.status_code == 422 and change.errors(response) == ["u0-a0-country"]


def test_add_change_is_a_small_fragment_with_the_next_index(change):
    start_with_users(change)
    fragment = change.fetch("changes", "add-access", "?user=0&u0-a0-country=JP")
    body = text(fragment)
    assert fragment.status_code == 200
    assert 'id="u0-a1-country"' in body and "u0-a0-" not in body
    assert 'data-testid="change-entry-0-1"' in body and "Change 2" in body


def test_choosing_a_country_reloads_that_entrys_functions_with_the_prefix(change):
    start_with_users(change)
    body = text(change.action("changes", "functions", {"u0-a0-country": "SG"},
                              "?user=0&entry=0"))
    assert 'value="OCA"' in body and 'value="CARD_CONTROLS"' not in body
    assert ">702<" in body and 'id="u0-a0-country"' not in body
    assert 'id="u0-a0-role_OCA"' in body and 'id="u0-a0-role_REPORTING"' not in body


def test_choosing_a_country_renames_the_entry_heading_out_of_band(change):
    start_with_users(change)
    body = text(change.action("changes", "functions",
                              {"u0-a0-country": "SG", "u0-a0-action": "remove"},
                              "?user=0&entry=0"))
    summary = re.search(r'<span[^>]*id="u0-a0-summary"[^>]*>([^<]*)</span>', body)
    assert summary and 'hx-swap-oob="true"' in summary.group(0)
    assert 'data-testid="change-summary-0-0"' in summary.group(0)
    assert summary.group(1) == "Remove · Singapore"


def test_change_rules_errors_next_to_fields_and_removal_renumbers(change, db_session):
    start_with_users(change)
    data = {**change_fields(0, 0, rest="12345", action=""),
            **change_fields(0, 1, "JP", ("OCA",), "000000000009"),
            **change_fields(0, 2, "SG", ("OPM",), "000000000001", action="remove"),
            **change_fields(0, 3, "SG", ("REPORTING",), "000000000001", action="remove")}
    response = change.step("changes", data)
    assert response.status_code == 422
    assert set(change.errors(response)) == {"u0-a0-cg_rest", "u0-a0-action",
                                            "u0-a1-role_OCA", "u0-a3-cg_rest"}
    page = text(response)
    assert "Enter exactly 12 digits" in page and "Choose Add or Remove." in page
    assert "Change 3 already has this country" in page
    assert 'id="u0-a0-action-error"' in page
    assert 'value="12345"' in page  # nothing lost
    body = text(change.action("changes", "remove-access", data, "?user=0&entry=1"))
    assert 'id="u0-a2-country"' in body and 'id="u0-a3-country"' not in body
    changes = the_draft(db_session).data["users"][0]["changes"]
    assert [(c["country"], c["action"]) for c in changes] == [
        ("JP", ""), ("SG", "remove"), ("SG", "remove")]
    assert changes[1]["control_group"] == "702000000000001"


def test_the_same_place_may_be_added_to_and_removed_from(change):
    start_with_users(change)
    data = {**change_fields(0, 0, functions=("REPORTING",)),
            **change_fields(0, 1, functions=("OPM",), action="remove")}
    assert change.step("changes", data).status_code == 303


def test_removing_a_function_asks_no_role(change, db_session):
    start_with_users(change)
    data = change_fields(0, 0, functions=("OCA",), action="remove", OCA="APPROVER")
    response = change.step("changes", {**data, "u0-a0-role_OCA": ""})
    assert response.status_code == 303, change.errors(response)
    response = change.step("changes", data)  # a role sent anyway is not kept
    assert response.status_code == 303
    saved = the_draft(db_session).data["users"][0]["changes"][0]
    assert saved["functions"] == [{"function": "OCA", "role": None}]
    # Adding still needs the role.
    response = change.step("changes", change_fields(0, 0, functions=("OCA",)))
    assert change.errors(response) == ["u0-a0-role_OCA"]


def test_each_user_needs_a_change(change):
    start_with_users(change, "target01", "other02")
    response = change.step("changes", {**change_fields(0, 0), "u1-access-present": "1"})
    assert change.errors(response) == ["u1-access"]
    # Listed once in the error summary, not prefixed with the user's label a second time.
    assert '<li><a href="#u1-access">Add at least one change for User 2: other02.</a></li>' \
        in text(response)


# --- step 3 ---------------------------------------------------------------------------------------

def test_a_pa_approves_their_own_change_with_their_details_filled_in(change, registered_pa):
    registered_pa()
    start_with_users(change, mode="pa")
    assert change.step("changes", change_fields(0, 0)).status_code == 303
    page = text(change.get("/enroll/change/step/approvers"))
    assert 'data-testid="approver-self-notice"' in page
    assert 'id="ap-JP-0-0-family_name"' in page and 'value="山田"' in page
    assert 'value="pa@example.co.jp"' in page and 'data-testid="terms-dialog"' in page
    response = change.step("approvers", {"ap-JP-0-0-family_name": "山田",
                                         "ap-JP-0-0-given_name": "花子",
                                         "ap-JP-0-0-email": "pa@example.co.jp",
                                         "ap-JP-0-0-phone": "03-1234-5678"})
    assert change.errors(response) == ["ap-JP-0-0-agree"]


def test_someone_else_names_the_approvers(change):
    start_with_users(change, mode="other")
    assert change.step("changes", change_fields(0, 0)).status_code == 303
    page = text(change.get("/enroll/change/step/approvers"))
    assert 'data-testid="approver-needed-notice"' in page
    assert 'value="pa@example.co.jp"' not in page
    response = change.step("approvers", {})
    assert change.errors(response) == ["ap-JP-0-0-family_name"]


# --- review, submit, PDF ----------------------------------------------------------------------------

def test_review_titles_each_change_and_its_change_links_return(change, registered_pa):
    fill_all(change, registered_pa)
    page = text(change.get("/enroll/change/step/review"))
    assert "Change 1: Japan" in page and "Change 2: Japan" in page and "Change 1: India" in page
    assert "An existing Program Administrator changing access" in page
    assert "/enroll/change/step/changes?review=1#user-0-change-1" in page
    assert "/enroll/change/step/users?review=1" in page
    response = change.step("changes", {
        **change_fields(0, 0), **change_fields(0, 1, "JP", ("OPM",), action="remove"),
        **change_fields(1, 0, "IN", ("OCA",), "000000000003", OCA="APPROVER"),
        "review": "1"}, nav="review")
    assert response.headers["Location"].endswith("/enroll/change/step/review")


def test_submit_is_idempotent_with_a_c_reference_and_the_contract_shape(change, registered_pa,
                                                                         db_session):
    fill_all(change, registered_pa)
    key = change.review_key()
    first = change.post("/enroll/change/submit", {"submit_key": key})
    second = change.post("/enroll/change/submit", {"submit_key": key})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    application = db_session.scalars(select(Application)).one()
    assert re.fullmatch(r"C-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", application.reference)
    assert application.kind == "change" and application.status == "received"
    assert application.expected_by > utcnow() + timedelta(days=4)
    data = application.data
    assert set(data) == {"applicant", "users", "approvers"}
    assert data["applicant"]["mode"] == "pa" and data["applicant"]["user_id"] == "testpa01"
    assert data["users"] == [
        {"user_id": "target01", "changes": [
            {"country": "JP", "action": "add", "control_group": "392000000000001",
             "functions": [{"function": "REPORTING", "role": None}]},
            {"country": "JP", "action": "remove", "control_group": "392000000000001",
             "functions": [{"function": "OPM", "role": None}]}]},
        {"user_id": "other02", "changes": [
            {"country": "IN", "action": "add", "control_group": "356000000000003",
             "functions": [{"function": "OCA", "role": "APPROVER"}]}]},
    ]
    assert [(a["country"], a["user"]) for a in data["approvers"]] == [("JP", 0), ("IN", 1)]
    assert all(a["agreed_at"] for a in data["approvers"])
    assert db_session.scalars(select(Draft)).all() == []
    done = text(change.get(first.headers["Location"]))
    assert application.reference in done and "5 business days" in done
    assert 'data-testid="change-notice"' in done and "Change 1: India" in done


def test_the_pdf_has_the_changes_in_japanese(change, registered_pa):
    from pypdf import PdfReader

    fill_all(change, registered_pa)
    done_url = change.submit().headers["Location"]
    response = change.get(f"{done_url}.pdf?lang=ja")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    content = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert done_url.rsplit("/", 1)[1] in content and "target01" in content
    assert "変更1" in content and "インド" in content
    assert "照会番号：" in content  # the Japanese colon, as on the lines below it


def test_an_expired_draft_is_refused_and_deleted(change, db_session):
    start_with_users(change)
    draft = the_draft(db_session)
    draft.deadline = utcnow() - timedelta(seconds=1)
    db_session.commit()
    response = change.fetch("changes", "add-access", "?user=0")
    assert response.headers["HX-Redirect"].startswith("/enroll/change/expired")
    assert db_session.scalars(select(Draft)).all() == []
    response = change.step("users", {**change_applicant(), "u0-user_id": "target01"})
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/enroll/change/")
