"""View tests of the add-new-user wizard (ENR-1..3) with the Flask client."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.enrollment.models import Application, ApplicationDocument, Draft

from .conftest import (
    Wizard,
    access_fields,
    applicant,
    approver_fields,
    png,
    user_fields,
)


def text(response) -> str:
    return response.get_data(as_text=True)


def the_draft(db_session) -> Draft:
    db_session.expire_all()
    return db_session.scalars(select(Draft)).one()


# --- landing and start --------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["Before you apply", "MCA", "BCA", "not a Program Administrator", "Add a new user"]),
    ("ja", ["お申し込みの前に", "MCA", "BCA", "新規ユーザーの追加"]),
])
def test_landing_explains_and_links_the_ways_in(client, lang, words):
    page = text(client.get(f"/enroll/?lang={lang}"))
    for word in words:
        assert word in page
    assert 'href="/enroll/new/"' in page
    assert 'href="/applications/track"' in page


@pytest.mark.parametrize(("lang", "label"), [
    ("en", "Check an application's status"), ("ja", "お申し込み状況を確認する")])
def test_landing_leads_to_tracking(client, lang, label):
    page = text(client.get(f"/enroll/?lang={lang}"))
    link = re.search(r'<a href="([^"]+)" data-testid="landing-track-link">([^<]+)</a>', page)
    assert link and link.group(2).replace("&#39;", "'") == label
    assert client.get(link.group(1)).status_code == 200


def test_start_page_creates_nothing_until_the_person_starts(wizard, db_session):
    page = wizard.get("/enroll/new/?lang=en")
    assert "20 minutes" in text(page)
    assert db_session.scalars(select(Draft)).all() == []
    response = wizard.start()
    assert response.headers["Location"].endswith("/enroll/new/step/users")
    draft = the_draft(db_session)
    assert draft.kind == "new" and draft.language == "en"
    again = wizard.get("/enroll/new/")
    assert again.status_code == 303 and again.headers["Location"].endswith("/step/users")


def test_a_step_without_a_draft_goes_to_the_start_page(wizard):
    response = wizard.get("/enroll/new/step/users")
    assert response.status_code == 303 and response.headers["Location"].endswith("/enroll/new/")


def test_every_step_shows_the_step_bar_and_the_timer(wizard):
    wizard.start()
    for number, step in enumerate(("users", "access", "approvers", "review"), start=1):
        page = text(wizard.get(f"/enroll/new/step/{step}"))
        current = re.search(r'<li class="step step--current" data-testid="step-(\d)" '
                            r'aria-current="step">', page)
        assert current and current.group(1) == str(number)
        assert 'id="form-timer"' in page and 'role="timer"' in page
        assert 'id="timeout-dialog"' in page


# --- step 1 ----------------------------------------------------------------------------------------

def test_user_information_errors_sit_next_to_their_fields_and_nothing_is_lost(wizard):
    wizard.start()
    data = {**applicant(**{"applicant-email": "not-an-email"}), **user_fields(0, birth_day="31",
                                                                              birth_month="4")}
    response = wizard.step("users", data)
    assert response.status_code == 422
    page = text(response)
    assert wizard.errors(response) == ["applicant-email", "u0-birth_day"]
    assert 'id="applicant-email-error"' in page
    assert re.search(r'aria-describedby="[^"]*applicant-email-error"', page)
    assert 'value="not-an-email"' in page and 'value="丸の内1-1"' in page
    assert "This month has no such day" in page


def test_japan_needs_the_home_address(wizard):
    wizard.start()
    data = {**applicant(), **user_fields(0, postal_code="", city="", street="", prefecture="")}
    response = wizard.step("users", data)
    assert set(wizard.errors(response)) == {"u0-postal_code", "u0-prefecture", "u0-city",
                                            "u0-street"}
    data = {**applicant(), **user_fields(0, country="SG", postal_code="", city="", street="",
                                         prefecture="")}
    assert wizard.step("users", data).status_code == 303


def test_self_application_and_new_pa_need_a_registered_pa(wizard, registered_pa):
    wizard.start()
    registered_pa("contact01", role="contact")
    data = {**applicant(**{"applicant-mode": "self", "applicant-user_id": "contact01"}),
            **user_fields(0)}
    response = wizard.step("users", data)
    assert wizard.errors(response) == ["applicant-user_id"]
    data = {**applicant(**{"applicant-user_id": "contact01"}),
            **user_fields(0, new_role="y", program_role="pa")}
    response = wizard.step("users", data)
    assert wizard.errors(response) == ["u0-program_role"]
    data = {**applicant(**{"applicant-user_id": "contact01"}),
            **user_fields(0, new_role="y", program_role="contact")}
    assert wizard.step("users", data).status_code == 303


def test_contact_details_typed_in_full_width_are_accepted_and_kept_half_width(wizard,
                                                                            db_session):
    """An IME left on types full-width letters and "ー" for the hyphen: no error, and the
    values are stored the way the back office and tracking read them."""
    wizard.start()
    data = {**applicant(**{"applicant-email": "ｐａ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ",
                           "applicant-phone": "０３ー１２３４ー５６７８"}),
            **user_fields(0, email="ＩＣＨＩＲＯ＠example.co.jp", postal_code="１００ー０００５")}
    response = wizard.step("users", data)
    assert response.status_code == 303, wizard.errors(response)
    saved = the_draft(db_session).data
    assert saved["applicant"]["email"] == "pa@example.co.jp"
    assert saved["applicant"]["phone"] == "03-1234-5678"
    assert saved["users"][0]["email"] == "ICHIRO@example.co.jp"


def test_a_company_name_or_address_line_too_long_is_refused_next_to_it(wizard):
    wizard.start()
    long = "株" * 101
    data = {**applicant(**{"applicant-company": long}), **user_fields(0, street=long)}
    response = wizard.step("users", data)
    assert response.status_code == 422
    assert wizard.errors(response) == ["applicant-company", "u0-street"]
    page = text(response)
    assert 'id="applicant-company-error"' in page and "Use at most 100 characters." in page
    assert f'value="{long}"' in page  # kept as typed


def test_add_user_and_remove_user_in_place(wizard, db_session):
    wizard.start()
    fragment = wizard.action("users", "add-user", {**applicant(), **user_fields(0)})
    assert fragment.status_code == 200
    body = text(fragment)
    assert 'id="user-1"' in body and "<html" not in body and 'hx-swap-oob="true"' in body
    two = {**applicant(), **user_fields(0), **user_fields(1, email="second@example.co.jp"),
           **user_fields(2, family_name="高橋", email="third@example.co.jp")}
    removed = wizard.action("users", "remove-user", {**two, "user": "1"})
    body = text(removed)
    assert 'id="user-1"' in body and 'id="user-2"' not in body
    assert 'value="高橋"' in body  # the third user is now the second
    users = the_draft(db_session).data["users"]
    assert [u["family_name"] for u in users] == ["佐藤", "高橋"]


# --- step 2 ----------------------------------------------------------------------------------------

def start_with_users(wizard, *users, applicant_id=""):
    wizard.start()
    data = {**applicant(**{"applicant-user_id": applicant_id})}
    for i, overrides in enumerate(users or ({},)):
        data.update(user_fields(i, email=f"u{i}@example.co.jp", **overrides))
    assert wizard.step("users", data).status_code == 303


def test_add_access_is_a_small_fragment_with_the_next_index(wizard):
    start_with_users(wizard, {}, {"family_name": "高橋"})
    saved = {**access_fields(0, 0), **access_fields(1, 0, "IN", ("OCA",), "000000000003",
                                                      OCA="APPROVER")}
    assert wizard.step("access", saved, nav="back").status_code == 303
    page = wizard.get("/enroll/new/step/access")
    fragment = wizard.fetch("access", "add-access", "?user=0&u0-a0-country=JP")
    body = text(fragment)
    assert fragment.status_code == 200
    assert 'id="u0-a1-country"' in body and "u0-a0-" not in body
    assert re.search(r'<b id="form-timer-sync" hidden data-deadline="\d+" data-now="\d+" '
                     r'hx-swap-oob="true"></b>', body)
    assert len(fragment.data) < 2000, len(fragment.data)
    assert len(fragment.data) * 10 <= len(page.data), (len(fragment.data), len(page.data))


def test_choosing_a_country_reloads_only_its_functions_and_roles(wizard):
    start_with_users(wizard)
    response = wizard.action("access", "functions", {"u0-a0-country": "GB"},
                             "?user=0&entry=0")
    body = text(response)
    assert 'value="OPM"' in body and 'value="STATEMENTS"' in body
    assert 'value="OCA"' not in body  # not offered in the UK
    assert 'id="u0-a0-role_STATEMENTS"' in body  # has an approval role
    assert 'id="u0-a0-role_REPORTING"' not in body  # roles without approval rights: not asked
    assert ">826<" in body and 'id="u0-a0-country"' not in body
    # The entry's heading names the chosen country (out of band), not "Country not chosen".
    summary = re.search(r'<span[^>]*id="u0-a0-summary"[^>]*>([^<]*)</span>', body)
    assert summary and 'hx-swap-oob="true"' in summary.group(0)
    assert 'data-testid="access-summary-0-0"' in summary.group(0)
    assert summary.group(1) == "United Kingdom"


def test_access_rules_and_removal_renumbers(wizard, db_session):
    start_with_users(wizard)
    data = {**access_fields(0, 0, rest="123"), **access_fields(0, 1, "JP", ("OCA",), "000000000009"),
            **access_fields(0, 2, "SG", ("OPM",), "000000000001")}
    response = wizard.step("access", data)
    assert response.status_code == 422
    assert set(wizard.errors(response)) == {"u0-a0-cg_rest", "u0-a1-role_OCA"}
    removed = wizard.action("access", "remove-access", data,
                            "?user=0&entry=1")
    body = text(removed)
    assert 'id="u0-a1-country"' in body and 'id="u0-a2-country"' not in body
    access = the_draft(db_session).data["users"][0]["access"]
    assert [a["country"] for a in access] == ["JP", "SG"]
    assert access[1]["control_group"] == "702000000000001"


def test_each_user_needs_an_access_entry(wizard):
    start_with_users(wizard)
    response = wizard.step("access", {"u0-access-present": "1"})
    assert wizard.errors(response) == ["u0-access"]


# --- step 3 ----------------------------------------------------------------------------------------

def test_oca_approver_must_be_a_registered_pa_and_documents_are_checked(wizard, registered_pa,
                                                                        db_session):
    registered_pa()
    registered_pa("contact01", role="contact")
    start_with_users(wizard, {}, {"country": "IN", "new_role": "y", "program_role": "pa",
                                  "postal_code": ""}, applicant_id="testpa01")
    access = {**access_fields(0, 0), **access_fields(1, 0, "IN", ("OCA",), "000000000003",
                                                       OCA="APPROVER")}
    assert wizard.step("access", access).status_code == 303
    data = {**approver_fields("JP", 0), **approver_fields("IN", 1, user_id="contact01",
                                                           agree=False)}
    data["doc-IN-1-document"] = (io.BytesIO(b"<html>not a pdf</html>"), "passport.pdf")
    response = wizard.step("approvers", data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert set(wizard.errors(response)) == {"ap-IN-1-0-user_id", "ap-IN-1-0-agree",
                                            "doc-IN-1-document"}
    assert "PDF, JPEG or PNG" in text(response)
    data = {**approver_fields("JP", 0), **approver_fields("IN", 1, user_id="testpa01")}
    data["doc-IN-1-document"] = (io.BytesIO(png()), "id-card.png")
    assert wizard.step("approvers", data, content_type="multipart/form-data").status_code == 303
    document = db_session.scalars(select(ApplicationDocument)).one()
    assert document.content_type == "image/png" and document.purpose == "pair:IN:1"
    draft = the_draft(db_session)
    agreed = [a["agreed_at"] for a in draft.data["approvers"]]
    assert all(agreed)


def test_add_another_approver(wizard):
    start_with_users(wizard)
    assert wizard.step("access", access_fields(0, 0)).status_code == 303
    body = text(wizard.action("approvers", "add-approver", approver_fields("JP", 0),
                              "?country=JP&user=0"))
    assert 'id="ap-JP-0-1-family_name"' in body


# --- review, submit, confirmation, PDF -------------------------------------------------------------

def test_review_change_link_returns_to_the_review(wizard, registered_pa):
    registered_pa()
    wizard.start()
    wizard.fill_all()
    review = text(wizard.get("/enroll/new/step/review"))
    assert "Return to approver details" in review and "Back to user information" in review
    link = re.search(r'href="(/enroll/new/step/users\?review=1)#user-1"', review)
    assert link
    page = text(wizard.get(link.group(1)))
    assert 'value="review"' in page and "Save and return to the review" in page
    response = wizard.step("users", {**applicant(**{"applicant-user_id": "testpa01"}),
                                     **user_fields(0, given_name="次郎"),
                                     **user_fields(1, family_name="Kumar", given_name="Ravi",
                                                   email="user1@example.co.jp", country="IN",
                                                   new_role="y", program_role="pa",
                                                   birth_day="12", birth_month="11")},
                           nav="review", query_string={"review": "1"})
    assert response.headers["Location"].endswith("/enroll/new/step/review")
    assert "佐藤 次郎" in text(wizard.get("/enroll/new/step/review"))


def test_a_submit_that_loses_the_race_answers_with_the_winners_application(
        wizard, registered_pa, db_session, monkeypatch):
    """The first look-up by key misses (the other submit had not committed yet), and by the
    time the draft is read it is gone: the answer is the stored application, not the start
    page. (On PostgreSQL this happens with concurrent submits.)"""
    from portal.enrollment import submission

    registered_pa()
    wizard.start()
    wizard.fill_all()
    review = text(wizard.get("/enroll/new/step/review"))
    key = re.search(r'name="submit_key" value="([^"]+)"', review).group(1)
    first = wizard.post("/enroll/new/submit", {"submit_key": key})
    real = submission.find_by_submit_key
    calls = []

    def late(session, wanted):
        calls.append(wanted)
        return None if len(calls) == 1 else real(session, wanted)

    monkeypatch.setattr(submission, "find_by_submit_key", late)
    second = wizard.post("/enroll/new/submit", {"submit_key": key})
    assert len(calls) == 2
    assert second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert "/done/" in second.headers["Location"]
    assert wizard.get(second.headers["Location"]).status_code == 200
    assert "There is no application in progress" not in text(wizard.get("/enroll/?lang=en"))
    assert len(db_session.scalars(select(Application)).all()) == 1


def test_submit_is_idempotent_and_gives_an_unguessable_reference(wizard, registered_pa,
                                                                 db_session):
    registered_pa()
    wizard.start()
    wizard.fill_all()
    review = text(wizard.get("/enroll/new/step/review"))
    key = re.search(r'name="submit_key" value="([^"]+)"', review).group(1)
    first = wizard.post("/enroll/new/submit", {"submit_key": key})
    second = wizard.post("/enroll/new/submit", {"submit_key": key})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    application = db_session.scalars(select(Application)).one()
    assert re.fullmatch(r"N-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", application.reference)
    assert application.status == "received" and application.kind == "new"
    assert application.applicant_email_folded == "pa@example.co.jp"
    assert application.expected_by > utcnow() + timedelta(days=4)
    data = application.data
    assert set(data) == {"applicant", "users", "approvers"}
    assert data["users"][1]["program_role"] == "pa" and data["users"][1]["birth_year"] == 1980
    assert data["users"][1]["address"] is None
    assert data["users"][0]["address"]["postal_code"] == "100-0005"
    assert data["users"][1]["access"][1] == {
        "country": "IN", "control_group": "356000000000003",
        "functions": [{"function": "OCA", "role": "APPROVER"}]}
    assert [(a["country"], a["user"]) for a in data["approvers"]] == [
        ("JP", 0), ("JP", 1), ("IN", 1)]
    assert all(a["agreed_at"] for a in data["approvers"])
    assert [d.purpose for d in application.documents] == ["pair:IN:1"]
    assert db_session.scalars(select(Draft)).all() == []
    done = text(wizard.get(first.headers["Location"]))
    assert application.reference in done
    assert "5 business days" in done and "two emails" in done and "training" in done


def test_the_pdf_is_a4_with_the_application_in_the_current_language(wizard, registered_pa,
                                                                    db_session):
    from pypdf import PdfReader

    registered_pa()
    wizard.start()
    wizard.fill_all(india=False)
    key = re.search(r'name="submit_key" value="([^"]+)"',
                    text(wizard.get("/enroll/new/step/review"))).group(1)
    done_url = wizard.post("/enroll/new/submit", {"submit_key": key}).headers["Location"]
    reference = done_url.rsplit("/", 1)[1]
    response = wizard.get(f"{done_url}.pdf?lang=ja")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert round(width) == 595 and round(height) == 842  # A4 in points
    content = "".join(page.extract_text() for page in reader.pages)
    assert reference in content and "佐藤" in content and "日本" in content
    fonts = str(reader.pages[0]["/Resources"]["/Font"])
    assert fonts  # fonts are embedded (WeasyPrint subsets them)
    # Nobody else can read it.
    other = Wizard(wizard.client.application.test_client())
    assert other.get(f"{done_url}.pdf").status_code == 404


def test_submit_sends_the_person_to_the_first_step_that_fails(wizard, registered_pa, db_session):
    registered_pa()
    wizard.start()
    wizard.fill_all(india=False)
    draft = the_draft(db_session)
    data = dict(draft.data)
    data["users"] = [dict(u) for u in data["users"]]
    data["users"][1]["access"] = []
    draft.data = data
    db_session.commit()
    key = re.search(r'name="submit_key" value="([^"]+)"',
                    text(wizard.get("/enroll/new/step/review"))).group(1)
    response = wizard.post("/enroll/new/submit", {"submit_key": key})
    assert response.headers["Location"].endswith("/enroll/new/step/access?check=1")
    page = wizard.get("/enroll/new/step/access?check=1")
    assert page.status_code == 422 and wizard.errors(page) == ["u1-access"]
    assert db_session.scalars(select(Application)).all() == []


# --- time limit -------------------------------------------------------------------------------------

def test_the_server_refuses_and_deletes_a_stale_draft(wizard, db_session):
    wizard.start()
    draft = the_draft(db_session)
    draft.deadline = utcnow() - timedelta(seconds=1)
    db_session.commit()
    response = wizard.fetch("access", "add-access", "?user=0")
    assert response.headers["HX-Redirect"].startswith("/enroll/new/expired")
    assert db_session.scalars(select(Draft)).all() == []
    page = wizard.get("/enroll/new/expired")
    assert "discarded" in text(page)
    assert wizard.get("/enroll/new/step/users").headers["Location"].endswith("/enroll/new/")


def test_a_stale_plain_post_is_refused_too(wizard, db_session):
    wizard.start()
    draft = the_draft(db_session)
    draft.deadline = utcnow() - timedelta(seconds=1)
    db_session.commit()
    response = wizard.step("users", {**applicant(), **user_fields(0)})
    assert response.status_code == 303 and "/expired" in response.headers["Location"]
    assert db_session.scalars(select(Draft)).all() == []


def test_extend_moves_the_deadline_and_the_timer_follows(wizard, db_session, app):
    wizard.start()
    draft = the_draft(db_session)
    draft.deadline = utcnow() + timedelta(seconds=60)
    db_session.commit()
    response = wizard.post("/enroll/new/time", htmx=True)
    body = text(response)
    assert 'data-testid="timeout-extended"' in body and 'hx-swap-oob="true"' in body
    draft = the_draft(db_session)
    assert draft.extensions == 1
    assert draft.deadline > utcnow() + timedelta(seconds=app.config["FORM_TIME_LIMIT"] - 10)
    draft.extensions = app.config["FORM_MAX_EXTENSIONS"]
    db_session.commit()
    body = text(wizard.post("/enroll/new/time", htmx=True))
    assert 'data-testid="timeout-no-more"' in body


def test_discard_deletes_the_draft(wizard, db_session):
    wizard.start()
    response = wizard.post("/enroll/new/discard")
    assert response.status_code == 303
    assert db_session.scalars(select(Draft)).all() == []
    assert "discarded" in text(wizard.get("/enroll/?lang=en"))


def test_the_out_of_band_timer_matches_the_template(app, wizard, db_session):
    from flask import render_template

    from portal.enrollment import engine, wizard_session

    wizard.start()
    draft = the_draft(db_session)
    now = utcnow()
    with app.test_request_context("/enroll/new/step/users"):
        timer = wizard_session.timer(engine.KINDS["new"], draft, now=now)
        rendered = render_template("enrollment/_timer.html", timer=timer, oob=True)
    assert wizard_session.timer_oob(draft, now=now) in rendered
