"""View tests: registration pages, sign-in and sign-out, password reset and the home."""

import re

import pytest
from flask import session as flask_session

from portal.accounts import services
from portal.accounts.models import AuthSession

from .conftest import ANSWER, PASSWORD, page_csrf


def text(response) -> str:
    return response.get_data(as_text=True)


def verify(post_form, token, htmx=True, **data):
    fields = {"birth_day": "", "birth_month": "", "auth_word": "", "auth_pin": "", **data}
    return post_form(f"/register/{token}?lang=en", fields, htmx=htmx)


def account_data(**overrides):
    data = {"user_id": "newuser01", "password": PASSWORD, "password_confirm": PASSWORD,
            "secret_question": "FIRST_PET", "secret_answer": ANSWER}
    data.update(overrides)
    return data


def verified(client, post_form, token):
    response = verify(post_form, token, birth_day="15", birth_month="4")
    assert response.status_code == 200 and response.headers["HX-Redirect"].endswith("/account")
    return client


def sign_in(post_form, user_id, password=PASSWORD):
    return post_form("/login?lang=en", {"user_id": user_id, "password": password}, htmx=True)


# --- registration ----------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "words"), [("ja", ["コンタクトID", "お誕生日", "認証ワード", "認証PIN"]),
                                             ("en", ["Contact ID", "birthday", "Auth word", "Auth PIN"])])
def test_the_link_shows_the_contact_id_and_both_ways(client, make_user, lang, words):
    user, token = make_user()
    page = text(client.get(f"/register/{token}?lang={lang}"))
    assert f'data-testid="contact-id">{user.contact_id}<' in page
    for word in words:
        assert word in page
    for field in ("birth_day", "birth_month", "auth_word", "auth_pin"):
        assert f'id="{field}"' in page and f'data-testid="{field}"' in page


def test_the_page_speaks_the_users_language(client, make_user):
    _user, token = make_user(country_code="US")
    page = text(client.get(f"/register/{token}", headers={"Accept-Language": "ja"}))
    assert '<html lang="en">' in page


@pytest.mark.parametrize(("lang", "said"), [("en", "not valid"), ("ja", "無効")])
def test_an_unknown_link_gets_a_clear_page(client, lang, said):
    response = client.get(f"/register/not-a-real-token?lang={lang}")
    assert response.status_code == 404
    assert 'data-state="unknown"' in text(response) and said in text(response)


def test_a_used_link_says_so_and_offers_sign_in(client, make_user, register):
    user, token = make_user()
    register(user, token, "usedlink1")
    response = client.get(f"/register/{token}?lang=en")
    assert response.status_code == 410
    page = text(response)
    assert "already been used" in page and 'href="/login"' in page and "/password/forgot" in page


def test_an_expired_link_says_what_to_do(client, make_user, db_session):
    user, token = make_user()
    _state, link = services.registration_link(db_session, token)
    link.expires_at = link.created_at
    db_session.commit()
    response = client.get(f"/register/{token}?lang=en")
    assert response.status_code == 410
    page = text(response)
    assert "expired" in page and "168 hours" in page and "new link" in page


def test_all_four_fields_is_an_error_that_says_why(client, make_user, post_form):
    _user, token = make_user()
    response = verify(post_form, token, birth_day="15", birth_month="4", auth_word="sakura",
                      auth_pin="2468")
    assert response.status_code == 422
    page = text(response)
    assert "all four fields" in page and 'data-testid="verify-form-error"' in page
    assert 'value="sakura"' in page  # nothing already entered is lost
    assert "<html" not in page  # the form block only, for htmx


def test_a_wrong_birthday_never_says_which_part(client, make_user, post_form):
    _user, token = make_user()
    wrong_day = text(verify(post_form, token, birth_day="16", birth_month="4"))
    wrong_month = text(verify(post_form, token, birth_day="15", birth_month="5"))
    message = re.compile(r'data-testid="verify-problem"><p>(.*?) \d attempts? (are|is) left')
    assert message.search(wrong_day).group(1) == message.search(wrong_month).group(1)
    assert "do not match our records" in wrong_day
    assert "day" not in message.search(wrong_day).group(1).lower()
    assert "3 attempts are left" in wrong_month


def test_a_wrong_word_or_pin_gets_the_same_message(client, make_user, post_form):
    _user, token = make_user(auth_word="sakura", auth_pin="2468")
    bad_pin = text(verify(post_form, token, auth_word="sakura", auth_pin="0000"))
    bad_word = text(verify(post_form, token, auth_word="tulip", auth_pin="2468"))
    strip = re.compile(r"\d attempts? (are|is) left")
    find = re.compile(r'data-testid="verify-problem"><p>(.*?)</p>', re.S)
    assert strip.sub("", find.search(bad_pin).group(1)) == strip.sub("", find.search(bad_word).group(1))


def test_five_failures_lock_the_link(client, make_user, post_form):
    _user, token = make_user()
    for _ in range(4):
        assert verify(post_form, token, birth_day="1", birth_month="1").status_code == 422
    page = text(verify(post_form, token, birth_day="1", birth_month="1"))
    assert 'data-testid="verify-locked"' in page and "30 minutes" in page
    page = text(verify(post_form, token, birth_day="15", birth_month="4"))
    assert 'data-testid="verify-locked"' in page
    page = text(client.get(f"/register/{token}?lang=en"))
    assert 'data-testid="verify-locked"' in page and 'data-testid="verify-form"' not in page


def test_attempts_are_limited_per_client_address(app, client, make_user, post_form, monkeypatch):
    monkeypatch.setitem(app.config, "ADDRESS_MAX_FAILURES", 2)
    _user, token = make_user()
    other_user, other_token = make_user()
    verify(post_form, token, birth_day="1", birth_month="1")
    verify(post_form, token, birth_day="1", birth_month="1")
    page = text(verify(post_form, other_token, birth_day="15", birth_month="4"))
    assert "too many unsuccessful attempts from your network" in page


def test_the_account_step_needs_the_identity_check(client, make_user):
    _user, token = make_user()
    response = client.get(f"/register/{token}/account")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/register/{token}")


def test_word_and_pin_open_the_account_step(client, make_user, post_form):
    _user, token = make_user(auth_word="sakura", auth_pin="2468")
    response = verify(post_form, token, auth_word="Sakura", auth_pin="2468", htmx=False)
    assert response.status_code == 303
    page = text(client.get(response.headers["Location"] + "?lang=en"))
    assert 'id="user_id"' in page and 'id="secret_question"' in page
    assert "What was the name of your first pet?" in page


def test_registration_from_link_to_home(client, make_user, post_form, db_session):
    user, token = make_user(country_code="US", program_role="pa")
    verified(client, post_form, token)
    response = post_form(f"/register/{token}/account?lang=en", account_data(user_id="Smith2024"),
                         htmx=True)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/register/complete"
    page = text(client.get("/register/complete"))
    assert '<html lang="en">' in page  # the new user's language (United States)
    assert 'data-testid="done-user-id">Smith2024<' in page
    assert "What was the name of your first pet?" in page
    assert f'data-testid="done-contact-id">{user.contact_id}<' in page
    assert "Go to WorkPortal" in page
    response = client.post("/register/complete", data={"csrf_token": page_csrf(page)})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    home = text(client.get("/"))
    assert 'data-testid="account-home"' in home and "田中 太郎" in home
    assert 'data-testid="access-country-JP"' in home and "392000000000001" in home
    assert "Online Program Management" in home
    assert 'data-testid="sign-out"' in home
    # The link worked once.
    assert client.get(f"/register/{token}").status_code == 410


def test_the_confirmation_cannot_be_reused(client, make_user, post_form):
    _user, token = make_user()
    verified(client, post_form, token)
    post_form(f"/register/{token}/account", account_data(user_id="once0001"), htmx=True)
    page = text(client.get("/register/complete"))
    client.post("/register/complete", data={"csrf_token": page_csrf(page)})
    client.post("/logout", data={"csrf_token": page_csrf(text(client.get("/")))})
    response = client.get("/register/complete")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_taken_user_id_comes_back_with_three_free_suggestions(client, make_user, post_form,
                                                                registered, db_session):
    registered("Tanaka01")
    _user, token = make_user()
    verified(client, post_form, token)
    response = post_form(f"/register/{token}/account?lang=en", account_data(user_id="TANAKA01"),
                         htmx=True)
    assert response.status_code == 422
    page = text(response)
    assert "already in use" in page
    suggestions = re.findall(r'data-value="([^"]+)"', page)
    assert len(suggestions) == 3
    for suggestion in suggestions:
        assert services.user_id_available(db_session, suggestion)
    # Nothing typed is lost.
    assert f'value="{PASSWORD}"' in page and f'value="{ANSWER}"' in page


def test_a_taken_id_is_reported_even_when_another_field_is_wrong(client, make_user, post_form,
                                                                 registered):
    registered("Tanaka02")
    _user, token = make_user()
    verified(client, post_form, token)
    page = text(post_form(f"/register/{token}/account?lang=en",
                          account_data(user_id="tanaka02", password_confirm="other"), htmx=True))
    assert "already in use" in page and "do not match" in page
    assert len(re.findall(r'data-value="([^"]+)"', page)) == 3


def test_full_width_password_gets_the_half_width_message(client, make_user, post_form):
    _user, token = make_user()
    verified(client, post_form, token)
    page = text(post_form(f"/register/{token}/account?lang=en",
                          account_data(password="ＰＡＳＳｗｏｒｄ１", password_confirm="ＰＡＳＳｗｏｒｄ１"),
                          htmx=True))
    assert 'data-testid="password-error"' in page and "half-width" in page
    page = text(post_form(f"/register/{token}/account?lang=ja",
                          account_data(user_id="ｔａｎａｋａ"), htmx=True))
    assert 'data-testid="user_id-error"' in page and "半角" in page


def test_the_live_check_says_available_or_taken_with_suggestions(client, make_user, post_form,
                                                                 registered):
    registered("Sato0001")
    _user, token = make_user()
    verified(client, post_form, token)
    url = f"/register/{token}/user-id"

    def check(**query):
        return text(client.get(url, query_string={"lang": "en", **query},
                               headers={"HX-Request": "true"}))

    free = check(user_id="Sato0002")
    assert 'data-state="available"' in free and "Sato0002 is available" in free
    taken = check(user_id="SATO0001")
    assert 'data-state="taken"' in taken
    suggestions = re.findall(r'data-value="([^"]+)"', taken)
    assert len(suggestions) == 3
    wrong = check(user_id="ｓａｔｏ")
    assert 'data-state="invalid"' in wrong and "half-width" in wrong
    short = check(user_id="sat")
    # Still typing: a neutral count of what is missing, not an error.
    assert 'data-state="typing"' in short and "2 more characters needed" in short
    assert "1 more character needed" in check(user_id="sato")
    picked = check(user_id=suggestions[0], pick="1")
    assert 'id="user-id-group"' in picked and f'value="{suggestions[0]}"' in picked
    assert "data-autofocus" in picked and 'data-state="available"' in picked


def test_the_live_check_is_rate_limited(app, client, make_user, post_form, monkeypatch):
    monkeypatch.setitem(app.config, "USER_ID_CHECKS_PER_MINUTE", 2)
    _user, token = make_user()
    verified(client, post_form, token)
    url = f"/register/{token}/user-id?lang=en&user_id=freeid001"
    states = [re.search(r'data-state="(\w+)"', text(client.get(url))).group(1) for _ in range(3)]
    assert states == ["available", "available", "later"]


def test_the_live_check_needs_a_verified_registration(client, make_user):
    _user, token = make_user()
    page = text(client.get(f"/register/{token}/user-id?user_id=someone01"))
    assert 'data-state="expired"' in page and "available" not in page


# --- sign-in ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "heading"), [("ja", "ログイン"), ("en", "Sign in to WorkPortal")])
def test_login_page(client, lang, heading):
    page = text(client.get(f"/login?lang={lang}"))
    assert heading in page
    assert 'id="user_id"' in page and 'id="password"' in page and 'data-testid="login-submit"' in page


def test_sign_in_and_the_header(client, registered, post_form):
    registered("header01")
    response = sign_in(post_form, "HEADER01")
    assert response.headers["HX-Redirect"] == "/"
    page = text(client.get("/"))
    assert 'data-testid="signed-in-as">田中 太郎<' in page and 'data-testid="sign-in-link"' not in page


def test_a_user_id_typed_in_full_width_signs_in(client, registered, post_form):
    registered("wide0001")
    response = sign_in(post_form, "ＷＩＤＥ０００１")
    assert response.headers.get("HX-Redirect") == "/"


def test_a_full_width_password_is_pointed_out_and_not_counted(app, registered, post_form,
                                                              db_session):
    user = registered("wide0002")
    for _ in range(app.config["LOCKOUT_THRESHOLD"] + 1):
        response = sign_in(post_form, "wide0002", "Ｐａｓｓｗ０ｒｄ＃１")
        assert response.status_code == 422
    page = text(response)
    assert 'id="password-error"' in page and "half-width" in page
    assert 'data-testid="login-problem"' not in page
    from portal.accounts.models import User

    db_session.expire_all()
    stored = db_session.get(User, user.id)
    assert stored.failed_logins == 0 and stored.locked_at is None
    assert sign_in(post_form, "wide0002").headers.get("HX-Redirect") == "/"


def test_unknown_user_and_wrong_password_get_the_same_message(client, registered, post_form):
    registered("known002")
    find = re.compile(r'data-testid="login-problem"><p>(.*?)</p>')
    unknown = text(sign_in(post_form, "nobody99"))
    wrong = text(sign_in(post_form, "known002", "Wrong#pass"))
    assert find.search(unknown).group(1) == find.search(wrong).group(1)
    assert 'value="known002"' in wrong and "Wrong#pass" not in wrong


def test_three_wrong_passwords_lock_and_unlock_restores(app, client, registered, post_form):
    registered("locked01")
    for _ in range(3):
        assert sign_in(post_form, "locked01", "Wrong#pass").status_code == 422
    problem = re.compile(r'data-testid="login-problem".*?</div>', re.S)
    wrong = problem.search(text(sign_in(post_form, "locked01", "Wrong#pass"))).group(0)
    assert "not correct" in wrong and "3 wrong passwords in a row" in wrong
    assert app.config["SUPPORT_PHONE"] in wrong
    right = problem.search(text(sign_in(post_form, "locked01"))).group(0)
    assert right == wrong  # the right password on a locked account reveals nothing
    result = app.test_cli_runner().invoke(args=["unlock-user", "LOCKED01"])
    assert result.exit_code == 0 and "locked01: unlocked" in result.output
    assert sign_in(post_form, "locked01").headers["HX-Redirect"] == "/"


def test_unlock_command_for_an_unknown_user(app):
    result = app.test_cli_runner().invoke(args=["unlock-user", "nobody77"])
    assert result.exit_code != 0 and "no portal user" in result.output


def test_unfinished_registration_is_told_to_use_the_email(client, make_user, post_form):
    user, _token = make_user()
    page = text(sign_in(post_form, user.contact_id, "whatever1"))
    assert "registration is not finished" in page and "welcome email" in page


def test_a_new_session_on_sign_in_and_the_old_cookie_refused_after_sign_out(
        app, client, registered, post_form, db_session):
    registered("cookie01")
    with client.session_transaction() as anonymous:
        anonymous["planted"] = "by someone else"
    sign_in(post_form, "cookie01")
    with client.session_transaction() as signed_in:
        assert "planted" not in signed_in and signed_in["sid"]
        sid = signed_in["sid"]
    copied = client.get_cookie("portal_session").value
    assert 'data-testid="account-home"' in text(client.get("/"))

    page = text(client.get("/"))
    response = client.post("/logout", data={"csrf_token": page_csrf(page)})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert 'data-testid="account-home"' not in text(client.get("/"))

    thief = app.test_client()
    thief.set_cookie("portal_session", copied)
    page = text(thief.get("/"))
    assert 'data-testid="account-home"' not in page and 'data-testid="sign-in-link"' in page
    ended = db_session.query(AuthSession).filter_by(token_hash=services.token_digest(sid)).one()
    assert ended.ended_at is not None


def test_signing_in_again_ends_the_previous_session(client, registered, post_form, db_session):
    registered("twice001")
    sign_in(post_form, "twice001")
    with client.session_transaction() as first:
        first_sid = first["sid"]
    client.post("/login", data={"csrf_token": page_csrf(text(client.get("/password/forgot"))),
                                "user_id": "twice001", "password": PASSWORD})
    with client.session_transaction() as second:
        assert second["sid"] != first_sid
    assert services.session_user(db_session, first_sid, limits=services.Limits()) is None


def test_pages_that_need_sign_in_send_people_to_it(app):
    from flask import g

    from portal.accounts.current import login_required

    secret = login_required(lambda: "secret")
    with app.test_request_context("/rewards/?x=1"):
        g.user = None
        response = secret()
        assert response.status_code == 302
        assert response.location == "/login?next=/rewards/?x%3D1"
        g.user = object()
        assert secret() == "secret"


def test_next_must_stay_on_this_site(client, registered, post_form):
    registered("nextuser")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = post_form(f"/login?next={target}", {"user_id": "nextuser", "password": PASSWORD},
                             htmx=True)
        assert response.headers["HX-Redirect"] == "/", target
        client.post("/logout", data={"csrf_token": page_csrf(text(client.get("/")))})
    response = post_form("/login?next=/functions", {"user_id": "nextuser", "password": PASSWORD},
                         htmx=True)
    assert response.headers["HX-Redirect"] == "/functions"


def test_home_in_the_users_language(client, registered, post_form):
    registered("english1", country_code="US")
    sign_in(post_form, "english1")
    page = text(client.get("/", headers={"Accept-Language": "ja"}))
    assert '<html lang="en">' in page and "Your functions and access" in page
    page = text(client.get("/?lang=ja"))
    assert '<html lang="ja">' in page and "ご利用いただける機能とアクセス権" in page


def test_logout_by_get_asks_first(client, registered, post_form):
    registered("getout01")
    sign_in(post_form, "getout01")
    page = text(client.get("/logout?lang=en"))
    assert 'data-testid="logout-confirm"' in page
    assert 'data-testid="account-home"' in text(client.get("/"))


# --- forgotten password ------------------------------------------------------------------------

def start_reset(post_form, user_id):
    return post_form("/password/forgot?lang=en", {"user_id": user_id}, htmx=True)


def test_password_reset_from_user_id_to_new_password(client, registered, post_form):
    registered("forgot01")
    assert start_reset(post_form, "FORGOT01").headers["HX-Redirect"] == "/password/forgot/answer"
    page = text(client.get("/password/forgot/answer?lang=en"))
    assert "What was the name of your first pet?" in page
    response = post_form("/password/forgot/answer?lang=en", {"secret_answer": "ＰＯＣＨＩ"}, htmx=True)
    assert response.headers["HX-Redirect"] == "/password/forgot/new"
    response = post_form("/password/forgot/new?lang=en",
                         {"password": "Fresh&new1", "password_confirm": "Fresh&new1"}, htmx=True)
    assert response.headers["HX-Redirect"] == "/login"
    assert "Your password has been changed" in text(client.get("/login?lang=en"))
    assert sign_in(post_form, "forgot01", PASSWORD).status_code == 422
    assert sign_in(post_form, "forgot01", "Fresh&new1").headers["HX-Redirect"] == "/"


def test_reset_answers_look_the_same_for_unknown_ids(client, registered, post_form):
    registered("forgot02")
    find = re.compile(r'data-testid="answer-problem"><p>(.*?)</p>')
    start_reset(post_form, "forgot02")
    wrong = text(post_form("/password/forgot/answer?lang=en", {"secret_answer": "tama"}, htmx=True))
    start_reset(post_form, "nobody55")
    page = text(client.get("/password/forgot/answer?lang=en"))
    assert 'data-testid="answer-question"' in page  # a question even for an unknown ID
    unknown = text(post_form("/password/forgot/answer?lang=en", {"secret_answer": ANSWER}, htmx=True))
    assert find.search(wrong).group(1) == find.search(unknown).group(1)


def test_reset_attempts_are_limited(client, registered, post_form):
    registered("forgot03")
    start_reset(post_form, "forgot03")
    for _ in range(5):
        post_form("/password/forgot/answer?lang=en", {"secret_answer": "wrong"}, htmx=True)
    page = text(post_form("/password/forgot/answer?lang=en", {"secret_answer": ANSWER}, htmx=True))
    assert "too many wrong answers" in page


def test_the_new_password_step_needs_the_answer(client):
    response = client.get("/password/forgot/new")
    assert response.status_code == 302 and response.headers["Location"].endswith("/password/forgot")
    response = client.get("/password/forgot/answer")
    assert response.status_code == 302


def test_new_password_rules_apply(client, registered, post_form):
    registered("forgot04")
    start_reset(post_form, "forgot04")
    post_form("/password/forgot/answer", {"secret_answer": ANSWER}, htmx=True)
    page = text(post_form("/password/forgot/new?lang=en",
                          {"password": "forgot04", "password_confirm": "forgot04"}, htmx=True))
    assert "different from your user ID" in page
    page = text(post_form("/password/forgot/new?lang=en",
                          {"password": "ｆｏｒｇｏｔ１２３", "password_confirm": "x"}, htmx=True))
    assert "half-width" in page


def test_plain_posts_work_without_htmx(client, registered, post_form):
    registered("plain001")
    response = post_form("/login", {"user_id": "plain001", "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": page_csrf(text(client.get("/")))})
    response = post_form("/login?lang=en", {"user_id": "plain001", "password": "nope"})
    assert response.status_code == 422 and "<html" in text(response)


def test_login_without_csrf_is_refused(client):
    response = client.post("/login?lang=en", data={"user_id": "a", "password": "b"})
    assert response.status_code == 400


def test_flask_session_holds_only_a_random_token(client, registered, post_form):
    registered("tokenonly")
    sign_in(post_form, "tokenonly")
    with client.session_transaction() as data:
        assert set(data) <= {"sid", "csrf_token", "_flashes"}
        assert len(data["sid"]) >= 40
    assert flask_session is not None


def test_htmx_answers_bring_the_flash_area_up_to_date(client, post_form):
    answer = text(sign_in(post_form, "nobody01", "Wrong#pass"))
    assert '<div id="flash" class="flash-area" aria-live="polite" role="status" hx-swap-oob="true">' in answer
    full = text(post_form("/login?lang=en", {"user_id": "nobody01", "password": "x"}))
    assert full.count('id="flash"') == 1 and "hx-swap-oob" not in full
