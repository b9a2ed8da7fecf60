"""Back-office pages for rewards programs: open one, enrol cards, designate, import a
statement, standing, cancel and terminate; errors next to the field in both languages."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from portal.rewards.ledger import check_invariant
from portal.rewards.program import Company, ProgramAccount

from .conftest import card_number

PASSWORD = "correct horse battery"


def token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture
def office(client, staff, db_session):
    db_session.commit()
    page = client.get("/backoffice/login?lang=en").get_data(as_text=True)
    response = client.post("/backoffice/login", data={"csrf_token": token(page), "login": "suzuki",
                                                      "password": PASSWORD})
    assert response.status_code == 302
    return client


def post(client, path, data, lang="en", **kwargs):
    page = client.get(f"{path.rsplit('/', 1)[0] if path.endswith(('cards', 'delegates', 'statements', 'standing', 'cancel', 'terminate', 'pa')) else path}?lang={lang}")
    return client.post(path, data={"csrf_token": token(page.get_data(as_text=True)), **data},
                       **kwargs)


def open_program(office, active_user, db_session, number=None):
    active_user("padmin01")
    number = number or card_number()
    response = post(office, "/backoffice/programs/new", {
        "company_name": "サンプル商事", "pa_user_id": "PADMIN01", "number": number[:4] + " " + number[4:],
        "product": "gold_corporate", "holder_name": "HANAKO YAMADA"})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    account = db_session.scalar(select(ProgramAccount).join(Company).where(Company.name == "サンプル商事"))
    return account, number


def test_open_a_program_and_see_it_listed(office, active_user, db_session):
    account, number = open_program(office, active_user, db_session)
    html = office.get("/backoffice/programs/?lang=en").get_data(as_text=True)
    assert "サンプル商事" in html and 'data-testid="bo-program-row"' in html
    detail = office.get(f"/backoffice/programs/{account.id}?lang=ja").get_data(as_text=True)
    assert number[-5:] in detail and number not in detail
    assert "リワード・プログラムを開設しました" in detail


def test_bad_inputs_are_shown_next_to_the_field_and_kept(office, active_user):
    active_user("padmin01")
    response = post(office, "/backoffice/programs/new", {
        "company_name": "Sample KK", "pa_user_id": "nobody99", "number": "1234",
        "product": "gold_corporate", "holder_name": "X"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "No portal user has this user ID." in html and 'value="Sample KK"' in html
    response = post(office, "/backoffice/programs/new", {
        "company_name": "Sample KK", "pa_user_id": "padmin01", "number": "1234",
        "product": "purchasing", "holder_name": "X"}, lang="ja")
    html = response.get_data(as_text=True)
    assert "カードに記載の15桁の番号を入力してください。" in html
    assert "この種類のカードはリワード・プログラムに登録できません。" in html
    response = post(office, "/backoffice/programs/new", {
        "company_name": "", "pa_user_id": "padmin01", "number": "", "product": "",
        "holder_name": ""}, lang="ja")
    assert response.status_code == 422
    assert "カード会員のお名前を入力してください。" in response.get_data(as_text=True)


def test_enrol_designate_import_and_close(office, active_user, db_session):
    active_user("helper01")
    account, number = open_program(office, active_user, db_session)
    base = f"/backoffice/programs/{account.id}"
    second = card_number()
    response = post(office, base + "/cards", {"enrol-number": second, "enrol-product": "corporate",
                                              "enrol-holder_name": "JIRO SATO"})
    assert response.status_code == 303
    again = post(office, base + "/cards", {"enrol-number": second, "enrol-product": "corporate",
                                           "enrol-holder_name": "JIRO SATO"})
    assert again.status_code == 422
    assert "already enrolled" in again.get_data(as_text=True)
    assert post(office, base + "/delegates", {"delegate-user_id": "helper01"}).status_code == 303
    csv_text = ("reference,card_number,posted_on,merchant,mcc,amount,kind\n"
                f"U1,{number},2099-01-01,Shop,5812,10000,purchase\n"
                f"U2,{second},2099-01-02,Shop,5812,-20000,credit\n"
                f"U3,{second},2099-01-03,Shop,5812,50000,purchase\n")
    bad = post(office, base + "/statements", {"statement-statement": (
        io.BytesIO(csv_text.replace("5812,-20000", "58,-20000").encode()), "june.csv")},
        content_type="multipart/form-data")
    assert bad.status_code == 422
    assert "june.csv, line 3" in bad.get_data(as_text=True)
    good = post(office, base + "/statements", {"statement-statement": (
        io.BytesIO(("\ufeff" + csv_text).encode()), "june.csv")}, content_type="multipart/form-data")
    assert good.status_code == 303
    db_session.expire_all()
    assert check_invariant(db_session, account.id) == 400  # 100 - 200 (100 carried) + 500 - 100
    assert post(office, base + "/standing", {"standing-reason": ""}).status_code == 422
    assert post(office, base + "/standing", {"standing-reason": "Overdue"}).status_code == 303
    db_session.expire_all()
    assert db_session.get(ProgramAccount, account.id).good_standing is False
    assert post(office, base + "/terminate", {"terminate-ground": "insolvent",
                                              "terminate-reason": "Court order"}).status_code == 303
    db_session.expire_all()
    account = db_session.get(ProgramAccount, account.id)
    assert account.status == "terminated" and check_invariant(db_session, account.id) == 0


def test_the_programs_pages_need_staff(client):
    assert client.get("/backoffice/programs/").status_code == 302
