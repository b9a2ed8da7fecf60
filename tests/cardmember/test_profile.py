"""OS-5: changes to a cardmember's details, ja and en: each one recorded and emailed, errors
next to their fields with what was typed kept, the email by a link to the new address,
PIN and password only with the current password."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.cardmember import profile
from portal.cardmember.models import Cardmember, CardmemberChange
from portal.db import utcnow
from portal.mail.models import OutgoingEmail
from tests.points.test_views import sign_in

from .test_statement import set_up


def token(html: str, prefix: str) -> str:
    return re.search(rf'name="{prefix}-csrf_token" type="hidden" value="([^"]+)"',
                     html).group(1)


@pytest.fixture
def signed_in(client, holder, db_session, app):
    set_up(db_session, app, holder[0])
    sign_in(client, "cmtest01", "Takahashi85")
    return client


def post(client, what, lang="en", **values):
    page = client.get(f"/cardmember/profile/?lang={lang}").get_data(as_text=True)
    return client.post(f"/cardmember/profile/{what}?lang={lang}", data={
        f"{what}-csrf_token": token(page, what), **{f"{what}-{k}": v for k, v in values.items()}})


def person(db_session, holder):
    db_session.expire_all()
    return db_session.get(Cardmember, holder[0].id)


def test_phone_and_employer_change_at_once_recorded_and_emailed(signed_in, holder,
                                                                 db_session):
    assert post(signed_in, "phone", phone="０８０－１１１１－２２２２").status_code == 303
    assert post(signed_in, "employer", employer="新サンプル株式会社").status_code == 303
    found = person(db_session, holder)
    assert (found.phone, found.employer) == ("080-1111-2222", "新サンプル株式会社")
    changes = [c.what for c in db_session.scalars(select(CardmemberChange))]
    assert changes == ["phone", "employer"]
    mails = list(db_session.scalars(select(OutgoingEmail).where(
        OutgoingEmail.kind == "cardmember.changed")))
    assert len(mails) == 2 and all(m.to_address == "saburo@example.com" for m in mails)


@pytest.mark.parametrize(("lang", "words"), [("en", "10 or 11 digits"), ("ja", "10桁または11桁")])
def test_a_bad_phone_is_said_next_to_it_and_kept(signed_in, holder, db_session, lang, words):
    response = post(signed_in, "phone", lang=lang, phone="12-34")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and words in html and 'value="12-34"' in html
    assert person(db_session, holder).phone == "090-1234-5678"


def test_the_address_is_filled_from_its_postal_code_then_saved(signed_in, holder,
                                                                db_session):
    page = signed_in.get("/cardmember/profile/?lang=en").get_data(as_text=True)
    filled = signed_in.post("/cardmember/profile/address?lang=en", data={
        "address-csrf_token": token(page, "address"), "step": "lookup",
        "address-postal_code": "５３０－０００１"}).get_data(as_text=True)
    assert 'value="大阪市北区"' in filled and 'value="梅田"' in filled
    saved = post(signed_in, "address", postal_code="530-0001", prefecture="大阪府",
                 city="大阪市北区", street="梅田1-2-3", building="")
    assert saved.status_code == 303
    assert person(db_session, holder).prefecture == "大阪府"
    bad = post(signed_in, "address", postal_code="999-9999", prefecture="大阪府",
               city="大阪市北区", street="梅田1-2-3")
    assert bad.status_code == 422 and "No address has this postal code" in bad.get_data(
        as_text=True)


def test_a_new_email_takes_effect_only_through_its_link(signed_in, holder, db_session,
                                                        client):
    assert post(signed_in, "email", email="Saburo.New@Example.com").status_code == 303
    assert person(db_session, holder).email == "saburo@example.com"  # not yet
    link = db_session.scalar(select(OutgoingEmail).where(
        OutgoingEmail.kind == "cardmember.email_link"))
    assert link.to_address == "Saburo.New@example.com"
    path = re.search(r"(/cardmember/profile/email/[\w-]+)", link.text_body).group(1)
    opened = client.get(path + "?lang=ja")
    assert opened.status_code == 200 and "Saburo.New@example.com" in opened.get_data(as_text=True)
    assert person(db_session, holder).email == "Saburo.New@example.com"
    user = db_session.get(User, person(db_session, holder).user_id)
    assert user.email == "Saburo.New@example.com"
    notices = [m.to_address for m in db_session.scalars(select(OutgoingEmail).where(
        OutgoingEmail.kind == "cardmember.changed"))]
    assert notices == ["saburo@example.com"]  # the old address hears of it
    assert client.get(path).status_code == 410  # once


def test_an_old_email_link_is_refused(holder, db_session, app):
    with app.test_request_context("/?lang=en"):
        _value, link = profile.request_email_change(db_session, holder[0], "late@example.com",
                                                    now=utcnow() - timedelta(hours=25))
        assert profile.confirm_email_change(db_session, link, "10.0.0.1") is None
        with pytest.raises(profile.ProfileError) as error:
            profile.request_email_change(db_session, holder[0], "SABURO@example.com")
        assert "already your email" in str(error.value.errors["email"])


def test_pin_and_password_need_the_current_password(signed_in, holder, db_session, client):
    bad = post(signed_in, "pin", current_password="wrong", pin="7391", pin_again="7391")
    assert bad.status_code == 422 and "current password is not right" in bad.get_data(
        as_text=True)
    run = post(signed_in, "pin", current_password="Takahashi85", pin="1234", pin_again="1234")
    assert "not all one digit or a run" in run.get_data(as_text=True)
    assert post(signed_in, "pin", current_password="Takahashi85", pin="7391",
                pin_again="7391").status_code == 303
    assert person(db_session, holder).pin_hash.startswith("$argon2id$")
    same = post(signed_in, "password", current_password="Takahashi85",
                password="Takahashi85", password_again="Takahashi85")
    assert "different from the current one" in same.get_data(as_text=True)
    done = post(signed_in, "password", current_password="Takahashi85",
                password="Saburo2026", password_again="Saburo2026")
    assert done.status_code == 303 and done.headers["Location"].startswith("/login")
    assert client.get("/cardmember/profile/").status_code in (302, 303)  # signed out
    sign_in(client, "cmtest01", "Saburo2026")
    whats = [c.what for c in db_session.scalars(select(CardmemberChange))]
    assert whats == ["pin", "password"]
