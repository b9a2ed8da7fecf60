"""No secret in the logs or on an error page (issue 13, item 7): a full journey (first login,
sign-in with a wrong and a right password, a password reset through the secret answer, a
new-user application with a PIN, a secret word and an upload, a failure page) runs with
every logger captured at DEBUG, and nothing secret appears in what was logged."""

from __future__ import annotations

import io
import logging

from portal.accounts import services
from tests.accounts.conftest import PASSWORD, page_csrf
from tests.enrollment.conftest import PDF, Wizard, applicant, approver_fields, user_fields

NEW_PASSWORD = "Fresh&new1zz"
WRONG_PASSWORD = "Wr0ng#pass!"
ANSWER = "Pochi"
PIN = "8642"
SECRET_WORD = "mangoTango7"
CARD = "4111111111111111"


def post(client, path, data, htmx=True):
    token = page_csrf(client.get(path).get_data(as_text=True))
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(path, data={"csrf_token": token, **data}, headers=headers)


def test_a_full_journey_logs_no_secret(app, client, db_session, make_user, register, caplog,
                                       registered_pa):
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    secrets_seen: list[str] = [PASSWORD, NEW_PASSWORD, WRONG_PASSWORD, ANSWER, PIN,
                               SECRET_WORD, CARD]

    # First login: the registration token is a secret too.
    user, token = make_user()
    secrets_seen.append(token)
    register(user, token, "journey01")
    assert post(client, "/login?lang=en", {"user_id": "journey01",
                                           "password": WRONG_PASSWORD}).status_code == 422
    assert post(client, "/login?lang=en", {"user_id": "journey01",
                                           "password": PASSWORD}).status_code in (200, 204)
    client.post("/logout", headers={"X-CSRFToken": page_csrf(
        client.get("/?lang=en").get_data(as_text=True))})

    # Password reset through the secret answer.
    post(client, "/password/forgot?lang=en", {"user_id": "journey01"})
    post(client, "/password/forgot/answer?lang=en", {"secret_answer": "wrong answer"})
    assert post(client, "/password/forgot/answer?lang=en",
                {"secret_answer": ANSWER}).headers.get("HX-Redirect") == "/password/forgot/new"
    assert post(client, "/password/forgot/new?lang=en",
                {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
                ).headers.get("HX-Redirect") == "/login"

    # A new-user application with a PIN, a secret word, a card number where a name goes,
    # and an upload.
    registered_pa("testpa01")
    wizard = Wizard(app.test_client())
    wizard.start()
    users = {**applicant(**{"applicant-user_id": "testpa01"}),
             **user_fields(0, country="IN", birth_year="1980", auth_pin=PIN,
                           auth_word=SECRET_WORD, postal_code="", prefecture="", city="",
                           street="", given_name=CARD)}
    assert wizard.step("users", users).status_code in (303, 422)
    assert wizard.step("users", {**users, **user_fields(0, given_name="Ravi", country="IN",
                                                 birth_year="1980", auth_pin=PIN,
                                                 auth_word=SECRET_WORD, postal_code="",
                                                 prefecture="", city="", street="")}
                       ).status_code == 303
    approvers = {**approver_fields("JP", 0), "doc-IN-0-document": (io.BytesIO(PDF), "id.pdf")}
    assert wizard.step("approvers", approvers,
                       content_type="multipart/form-data").status_code in (303, 422)

    # A failure page does not echo what was posted.
    failure = client.get("/_test/boom?password=" + PASSWORD)
    assert failure.status_code == 500 and PASSWORD not in failure.get_data(as_text=True)

    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {getattr(record, '__dict__', {})!r}"
        for record in caplog.records)
    assert caplog.records, "the journey logged nothing at all: the capture is not working"
    for secret in secrets_seen:
        assert secret not in logged, f"{secret!r} appears in the log"
    assert services  # the real services ran (fixtures)


def test_uploads_are_typed_by_content_and_served_only_to_staff(app, client, db_session,
                                                               tmp_path, staff, registered):
    from pathlib import Path

    import pytest

    from portal.enrollment import documents
    from tests.application_factory import add_document, make_application
    from tests.backoffice.conftest import sign_in as staff_sign_in

    # The type is what the content is, never what the browser or the file name claimed.
    assert documents.check(PDF, 10**6) == "application/pdf"
    with pytest.raises(documents.DocumentError):
        documents.check(b"<html><script>alert(1)</script></html>", 10**6)
    with app.app_context():  # uploads live outside the static folder
        assert not str(documents.upload_dir().resolve()).startswith(
            str(Path(app.static_folder).resolve()))

    application = make_application(db_session, "new")
    app.config["UPLOAD_DIR"] = str(tmp_path)
    try:
        document = add_document(db_session, application, tmp_path, filename="page.html",
                                content=PDF)
        path = f"/backoffice/applications/{application.id}/documents/{document.id}"
        # A signed-in portal user is not staff: the staff sign-in page, never the file.
        registered("viewer01")
        assert post(client, "/login?lang=en", {"user_id": "viewer01", "password": PASSWORD}
                    ).status_code in (200, 204)
        refused = client.get(path)
        assert refused.status_code == 302 and "/backoffice/login" in refused.headers["Location"]
        assert PDF not in refused.data
        # Staff get it as a download, with the checked type and no sniffing.
        assert staff_sign_in(client).status_code == 302
        response = client.get(path)
        assert response.status_code == 200 and response.data == PDF
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()
    finally:
        app.config.pop("UPLOAD_DIR", None)
