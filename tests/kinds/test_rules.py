"""Rules of the change and delete kinds on plain data (no browser, no HTTP)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from portal.enrollment import engine, refdata
from portal.enrollment.engine import KINDS
from portal.enrollment.models import Draft


@pytest.fixture
def ctx_for(app, db_session):
    """``ctx_for(kind, data) -> Ctx`` on an unsaved draft, in an English request."""
    with app.test_request_context("/?lang=en"):
        def make(kind, data):
            draft = Draft(id="x" * 43, kind=kind, data=data)
            return engine.make_ctx(KINDS[kind], draft, db_session)

        yield make


APPLICANT = {"mode": "pa", "user_id": "kanri01", "family_name": "山田", "given_name": "花子",
             "email": "pa@example.co.jp", "phone": "03-1234-5678", "company": "Example KK"}


def change(country="JP", action="add", control_group="392000000000001",
           functions=({"function": "REPORTING", "role": None},)):
    return {"country": country, "action": action, "control_group": control_group,
            "functions": list(functions)}


def test_the_kinds_are_registered_with_their_letters_and_steps():
    assert (KINDS["change"].letter, KINDS["delete"].letter) == ("C", "D")
    assert [s.key for s in KINDS["change"].steps] == ["users", "changes", "approvers", "review"]
    assert [s.key for s in KINDS["delete"].steps] == ["user", "review"]


def test_change_countries_are_those_where_access_can_change(ctx_for):
    ctx = ctx_for("change", {})
    countries = {c.code for c in KINDS["change"].step("changes").countries(ctx)}
    assert {"JP", "IN", "SG", "AU", "US"} <= countries
    assert not {"HK", "GB"} & countries
    assert all(c.access_changes for c in refdata.load(ctx.session).countries
               if c.code in countries)


def test_change_entries_check_action_country_functions_and_digits(ctx_for):
    step = KINDS["change"].step("changes")
    ctx = ctx_for("change", {"applicant": APPLICANT, "users": [{"user_id": "abcde", "changes": [
        change(), change(action="flip"), change(country="HK", control_group="344000000000001"),
        change(control_group="39200000001"), change(functions=()),
        change(functions=({"function": "OCA", "role": None},)),
        change(action="remove"), change(),
    ]}]})
    errors = step.validate(ctx)
    assert errors == {
        "u0-a1-action": "Choose Add or Remove.",
        "u0-a2-country": "Choose the country.",
        "u0-a3-cg_rest": "Enter exactly 12 digits after the fixed prefix.",
        "u0-a4-functions": "Choose at least one function.",
        "u0-a5-role_OCA": "Choose the role for Online Card Application.",
        "u0-a7-cg_rest": "Change 1 already has this country, control group number and action. "
                         "Choose the functions there instead.",
    }


def test_change_user_ids_need_the_right_form_and_no_repeats(ctx_for):
    step = KINDS["change"].step("users")
    ctx = ctx_for("change", {"applicant": {**APPLICANT, "user_id": None},
                             "users": [{"user_id": "Sato01"}, {"user_id": "ab"},
                                       {"user_id": "SATO01"}, {"user_id": "佐藤さん01"}]})
    errors = step.validate(ctx)
    assert set(errors) == {"applicant-user_id", "u1-user_id", "u2-user_id", "u3-user_id"}
    assert "Program Administrator changing access needs it" in errors["applicant-user_id"]
    assert errors["u2-user_id"].startswith("User 1 has the same user ID")
    ctx = ctx_for("change", {"applicant": {**APPLICANT, "mode": "other", "user_id": None},
                             "users": [{"user_id": "ＳＡＴＯ０１"}]})  # full-width is fine
    assert step.validate(ctx) == {}


def test_change_finalize_gives_the_contract_shape(ctx_for):
    ctx = ctx_for("change", {
        "applicant": {**APPLICANT, "user_id": "kanri01 "},
        "users": [{"user_id": "target01", "changes": [
            {**change(), "functions": [{"function": "OCA", "role": "APPROVER"}]}]}],
        "approvers": [
            {"country": "JP", "user": 0, "family_name": "鈴木", "given_name": "次郎",
             "email": "a@example.co.jp", "phone": "03-9876-5432", "user_id": "kanri01",
             "agreed_at": "2026-12-01T00:00:00+00:00"},
            {"country": "SG", "user": 0, "family_name": "x", "given_name": "y",  # no longer
             "email": "b@example.co.jp", "phone": "1", "agreed_at": "2026"},    # needed
        ]})
    data = KINDS["change"].finalize(ctx)
    assert data == {
        "applicant": {**APPLICANT, "user_id": "kanri01"},
        "users": [{"user_id": "target01", "changes": [
            {"country": "JP", "action": "add", "control_group": "392000000000001",
             "functions": [{"function": "OCA", "role": "APPROVER"}]}]}],
        "approvers": [{"country": "JP", "user": 0, "family_name": "鈴木", "given_name": "次郎",
                       "email": "a@example.co.jp", "phone": "03-9876-5432",
                       "user_id": "kanri01", "agreed_at": "2026-12-01T00:00:00+00:00"}],
    }


def test_delete_rules(ctx_for):
    step = KINDS["delete"].step("user")
    base = {"applicant": {**APPLICANT, "mode": None}, "user_id": "leaver01",
            "reason": "LEFT_COMPANY", "reason_note": ""}
    assert step.validate(ctx_for("delete", base)) == {}
    errors = step.validate(ctx_for("delete", {**base, "reason": "BORED"}))
    assert errors == {"del-reason": "Choose the reason for deleting the user."}
    errors = step.validate(ctx_for("delete", {**base, "reason": "OTHER"}))
    assert errors == {"del-reason_note": "Tell us briefly why the user is deleted."}
    errors = step.validate(ctx_for("delete", {**base, "reason_note": "x" * 501}))
    assert errors == {"del-reason_note": "Use at most 500 characters."}
    errors = step.validate(ctx_for("delete", {**base, "user_id": "KANRI01"}))
    assert list(errors) == ["del-user_id"]


def test_delete_finalize_gives_the_contract_shape(ctx_for):
    ctx = ctx_for("delete", {"applicant": {**APPLICANT, "mode": "pa"}, "user_id": "leaver01",
                             "reason": "OTHER", "reason_note": "  契約終了 "})
    assert KINDS["delete"].finalize(ctx) == {
        "applicant": {**APPLICANT, "mode": None}, "user_id": "leaver01",
        "reason": "OTHER", "reason_note": "契約終了"}


def test_lazy_choice_labels_follow_the_request_language(app):
    from portal.enrollment.forms import ApplicantForm, ChangeApplicantForm

    with app.test_request_context("/?lang=ja"):
        with force_locale("ja"):
            change_html = str(ChangeApplicantForm(prefix="a-").mode)
            new_html = str(ApplicantForm(prefix="a-").mode)
        with force_locale("en"):
            english = str(ChangeApplicantForm(prefix="a-").mode)
    assert "既存の管理責任者としてアクセス権を変更する" in change_html
    assert "社員" in new_html  # the add-new-user radio too
    assert "I am an existing Program Administrator changing access" in english
