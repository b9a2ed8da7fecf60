"""View tests of the delete-user wizard (ENR-5) with the Flask client."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.enrollment.models import Application, Draft

from .conftest import KindWizard, delete_fields


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_form_has_the_reasons_from_the_catalog(delete):
    delete.start()
    page = text(delete.get("/enroll/delete/step/user"))
    assert 'data-testid="step-2"' in page and 'data-testid="step-3"' not in page
    for code in ("LEFT_COMPANY", "TRANSFERRED", "LEAVE", "DUPLICATE", "SECURITY", "OTHER"):
        assert f'value="{code}"' in page
    assert "Left the company" in page and 'id="del-user_id"' in page
    assert 'id="applicant-user_id"' in page and 'id="applicant-mode' not in page


def test_the_form_speaks_japanese(client):
    wizard = KindWizard(client, "delete", lang="ja")
    wizard.start()
    page = text(wizard.get("/enroll/delete/step/user"))
    assert "削除するユーザーID" in page and "退職した" in page and "削除の理由" in page


def test_errors_sit_next_to_their_fields_and_nothing_is_lost(delete):
    delete.start()
    data = delete_fields(**{"del-user_id": "x!", "del-reason": "", "applicant-user_id": "",
                            "applicant-email": "nope"})
    response = delete.step("user", data)
    assert response.status_code == 422
    assert delete.errors(response) == ["del-user_id", "del-reason", "applicant-user_id",
                                       "applicant-email"]
    page = text(response)
    assert re.search(r'aria-describedby="[^"]*del-reason-error"', page)
    assert "Choose the reason for deleting the user." in page
    assert 'value="x!"' in page and 'value="nope"' in page and 'value="Example KK"' in page


def test_other_needs_a_note_and_own_id_is_refused(delete):
    delete.start()
    response = delete.step("user", delete_fields(**{"del-reason": "OTHER"}))
    assert delete.errors(response) == ["del-reason_note"]
    response = delete.step("user", delete_fields(**{"del-user_id": "TESTPA01"}))
    assert delete.errors(response) == ["del-user_id"]
    assert "This is your own user ID" in text(response)
    response = delete.step("user", delete_fields(**{"del-reason": "OTHER",
                                                    "del-reason_note": "契約終了"}))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/enroll/delete/step/review")


def test_full_width_email_and_phone_are_taken_half_width(delete, db_session):
    delete.start()
    response = delete.step("user", delete_fields(**{
        "applicant-email": "ｐａ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ", "applicant-phone": "０３ー１２３４ー５６７８"}))
    assert response.status_code == 303, delete.errors(response)
    delete.submit()
    application = db_session.scalars(select(Application)).one()
    assert application.data["applicant"]["email"] == "pa@example.co.jp"
    assert application.data["applicant"]["phone"] == "03-1234-5678"


def test_a_company_name_too_long_is_refused(delete):
    delete.start()
    response = delete.step("user", delete_fields(**{"applicant-company": "x" * 101}))
    assert delete.errors(response) == ["applicant-company"]


def test_a_user_id_is_not_looked_up_in_the_form(delete, registered_pa):
    registered_pa("exists01", role="user")
    delete.start()
    for user_id in ("exists01", "nobody01"):
        response = delete.step("user", delete_fields(**{"del-user_id": user_id}))
        assert response.status_code == 303  # same answer whether or not the ID exists


def test_submit_gives_the_contract_shape_the_notice_and_a_pdf(delete, db_session):
    from pypdf import PdfReader

    delete.start()
    assert delete.step("user", delete_fields(**{"del-reason_note": "  "})).status_code == 303
    review = text(delete.get("/enroll/delete/step/review"))
    assert "leaver01" in review and "Left the company" in review
    # The applicant's section is titled as on the form.
    assert re.search(r'id="summary-applicant-title"[^>]*>Program Administrator<', review)
    assert "/enroll/delete/step/user?review=1#deletion" in review
    assert "/enroll/delete/step/user?review=1#applicant" in review
    first = delete.submit()
    assert first.status_code == 303
    application = db_session.scalars(select(Application)).one()
    assert re.fullmatch(r"D-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", application.reference)
    assert application.data == {
        "applicant": {"mode": None, "user_id": "testpa01", "family_name": "山田",
                      "given_name": "花子", "email": "pa@example.co.jp",
                      "phone": "03-1234-5678", "company": "Example KK"},
        "user_id": "leaver01", "reason": "LEFT_COMPANY", "reason_note": None}
    assert application.expected_by > utcnow() + timedelta(days=4)
    assert db_session.scalars(select(Draft)).all() == []
    done = text(delete.get(first.headers["Location"]))
    assert 'data-testid="delete-notice"' in done
    # The way to follow it brings the reference number along.
    assert re.search(r'href="/applications/track\?reference=D-[^"]+" data-testid="done-track"',
                     done)
    assert "Within 5 business days of receiving the application" in done
    ja = text(delete.get(first.headers["Location"] + "?lang=ja"))
    assert "5営業日以内に、ユーザーIDおよび関連するアクセス権の削除が完了します" in ja
    response = delete.get(first.headers["Location"] + ".pdf?lang=en")
    content = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert application.reference in content and "leaver01" in content


def test_a_repeated_submit_gives_the_same_application(delete, db_session):
    delete.start()
    delete.step("user", delete_fields())
    key = delete.review_key()
    first = delete.post("/enroll/delete/submit", {"submit_key": key})
    second = delete.post("/enroll/delete/submit", {"submit_key": key})
    assert first.headers["Location"] == second.headers["Location"]
    assert len(db_session.scalars(select(Application)).all()) == 1


@pytest.mark.parametrize("path", ["/enroll/delete/step/user", "/enroll/delete/step/review"])
def test_an_expired_draft_is_refused(delete, db_session, path):
    delete.start()
    db_session.expire_all()
    draft = db_session.scalars(select(Draft)).one()
    draft.deadline = utcnow() - timedelta(seconds=1)
    db_session.commit()
    response = delete.get(path)
    assert response.status_code == 303 and "/enroll/delete/expired" in response.headers[
        "Location"]
    assert db_session.scalars(select(Draft)).all() == []
