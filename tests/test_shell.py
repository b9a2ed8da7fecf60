import re

import pytest

from .accounts.conftest import (  # noqa: F401  (fixtures: an active user)
    PASSWORD,
    fast_hashing,
    make_user,
    register,
    registered,
)

SHELL_PAGES = {
    "/": {"ja": "法人カード管理者のための", "en": "for corporate card administrators"},
    "/privacy": {"ja": "オンラインプライバシーに関する声明", "en": "Privacy statement"},
    "/functions": {"ja": "ポータルの機能", "en": "Portal functions"},
    "/contact": {"ja": "お問い合わせ", "en": "Contact us"},
}


@pytest.mark.parametrize("path", SHELL_PAGES)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_shell_page_in_both_languages(client, path, lang):
    response = client.get(f"{path}?lang={lang}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    assert SHELL_PAGES[path][lang] in page
    for link in ('href="/privacy"', 'href="/functions"', 'href="/contact"'):
        assert link in page
    assert response.headers["Content-Language"] == lang


def test_japanese_is_the_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="ja">' in page


def test_the_browser_language_is_used_when_nothing_else_chooses(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    page = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)
    assert '<html lang="ja">' in page


def test_the_chosen_language_is_remembered_in_a_cookie(client):
    response = client.get("/contact?lang=en", headers={"Accept-Language": "ja"})
    cookie = response.headers["Set-Cookie"]
    assert "portal_lang=en" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/privacy", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    page = client.get("/privacy?lang=ja").get_data(as_text=True)
    assert '<html lang="ja">' in page
    assert '<html lang="ja">' in client.get("/").get_data(as_text=True)


def test_an_unknown_language_is_ignored(client):
    response = client.get("/?lang=xx")
    assert '<html lang="ja">' in response.get_data(as_text=True)
    assert "portal_lang" not in response.headers.get("Set-Cookie", "")


def test_the_language_switch_keeps_the_page_and_its_query(client):
    page = client.get("/functions?lang=ja&x=1").get_data(as_text=True)
    assert re.search(r'href="/functions\?[^"]*lang=en', page)
    assert 'x=1' in re.search(r'href="(/functions\?[^"]*lang=en[^"]*)"', page).group(1)


def test_functions_page_lists_functions_roles_and_default_holders(client):
    page = client.get("/functions?lang=en").get_data(as_text=True)
    assert "Online Card Application" in page
    assert 'data-testid="role-OCA-APPROVER"' in page
    assert "Program Administrator and Contact" in page  # OPM is held by both by default
    page = client.get("/functions?lang=ja").get_data(as_text=True)
    assert "オンライン・カード申請" in page and "承認者" in page
    assert "管理責任者、連絡担当者" in page and "日本、インド、" in page


def test_contact_page_shows_phone_hours_and_email(client, app):
    page = client.get("/contact?lang=en").get_data(as_text=True)
    assert app.config["SUPPORT_PHONE"] in page
    assert app.config["SUPPORT_EMAIL"] in page
    assert "Weekdays" in page


@pytest.mark.parametrize(("lang", "text"), [("ja", "ページが見つかりません"), ("en", "Page not found")])
def test_not_found_is_localized(client, lang, text):
    response = client.get(f"/no-such-page?lang={lang}")
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "text"), [("ja", "システムで問題が発生しました"), ("en", "Something went wrong on our side")])
def test_unexpected_errors_are_localized_and_hide_the_trace(client, lang, text):
    response = client.get(f"/_test/boom?lang={lang}")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert text in page
    assert "RuntimeError" not in page and "Traceback" not in page


def test_htmx_errors_get_a_fragment(client):
    response = client.get("/no-such-page", headers={"HX-Request": "true"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "<html" not in page and 'data-testid="error-page"' in page


def test_post_without_csrf_token_is_refused_with_a_clear_page(client):
    response = client.post("/_test/echo?lang=en")
    assert response.status_code == 400
    assert "Your session has expired" in response.get_data(as_text=True)


def test_post_with_csrf_header_like_htmx_is_accepted(client, csrf):
    token = csrf()
    response = client.post("/_test/echo", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 200


def test_post_with_csrf_form_field_is_accepted(client, csrf):
    response = client.post("/_test/echo", data={"csrf_token": csrf()})
    assert response.status_code == 200


def test_content_security_policy_uses_nonces(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    page = response.get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert "style=" not in page  # no inline styles either (style-src 'self')
    assert client.get("/").headers["Content-Security-Policy"] != policy  # fresh per response


def test_security_headers_and_vary(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_is_served_from_our_own_static_path_and_configured(client):
    page = client.get("/").get_data(as_text=True)
    assert 'src="/static/vendor/htmx.min.js"' in page
    assert "https://" not in re.sub(r'href="mailto:[^"]*"', "", page.split("<body")[0])
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page).group(1)
    import json

    settings = json.loads(config)
    assert settings["includeIndicatorStyles"] is False and settings["allowEval"] is False
    assert {"code": "422", "swap": True} in settings["responseHandling"]
    with client.get("/static/vendor/htmx.min.js") as js:
        assert js.status_code == 200
        assert b'version:"2.0.' in js.data


def test_session_cookie_flags(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_healthz_is_tiny(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.data == b"ok"


def test_person_names_follow_the_reader_and_the_script(app):
    from portal.i18n import person_name

    with app.test_request_context("/?lang=en"):
        assert person_name("Smith", "Anna") == "Anna Smith"
        assert person_name("山田", "太郎") == "山田 太郎"
    with app.test_request_context("/?lang=ja"):
        assert person_name("Smith", "Anna") == "Smith Anna"
        assert person_name("山田", "太郎", "en") == "山田 太郎"


def test_lists_use_the_language_s_separator(app):
    from portal.i18n import format_list

    with app.test_request_context("/?lang=ja"):
        assert format_list(["日本", "インド"]) == "日本、インド"
    with app.test_request_context("/?lang=en"):
        assert format_list(["Japan", "India", "Singapore"]) == "Japan, India, and Singapore"
        assert format_list([]) == ""


# --- shell pages and the sign-in form are rendered once for signed-out readers --------------

NONCE = re.compile(r"'nonce-([^']+)'")
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
KEPT = ("/?lang=ja", "/privacy?lang=en", "/contact?lang=ja", "/login?lang=en")


def kept_pages(app) -> dict:
    return app.extensions.setdefault("portal_kept_pages", {})


@pytest.mark.parametrize("path", KEPT)
def test_a_kept_page_gives_every_reader_their_own_nonce_and_token(app, path):
    from portal.templating import NONCE_MARK, TOKEN_MARK

    kept_pages(app).clear()
    one, two = app.test_client(), app.test_client()
    answers = [one.get(path), two.get(path)]
    assert [a.status_code for a in answers] == [200, 200]
    (kept,) = kept_pages(app).values()
    assert NONCE_MARK in kept and TOKEN_MARK in kept
    nonces = [NONCE.search(a.headers["Content-Security-Policy"]).group(1) for a in answers]
    pages = [a.get_data(as_text=True) for a in answers]
    tokens = [TOKEN.search(page).group(1) for page in pages]
    assert nonces[0] != nonces[1] and tokens[0] != tokens[1]
    for nonce, token, page in zip(nonces, tokens, pages, strict=True):
        assert f'nonce="{nonce}"' in page and NONCE_MARK not in page and TOKEN_MARK not in page
        assert nonce not in kept and token not in kept
    same = [page.replace(nonce, "N").replace(token, "T")
            for nonce, token, page in zip(nonces, tokens, pages, strict=True)]
    assert same[0] == same[1]
    # Each reader's token is their own: the other's is refused.
    assert two.post("/_test/echo", headers={"X-CSRFToken": tokens[1]}).status_code == 200
    assert two.post("/_test/echo", headers={"X-CSRFToken": tokens[0]}).status_code == 400


def test_the_sign_in_form_of_a_kept_page_signs_in(app, registered):  # noqa: F811
    kept_pages(app).clear()
    registered("keptpage01")
    app.test_client().get("/login?lang=ja")  # someone else's visit keeps the page
    client = app.test_client()
    page = client.get("/login?lang=ja").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert token == TOKEN.search(page).group(1)
    answer = client.post("/login", data={"csrf_token": token, "user_id": "keptpage01",
                                         "password": PASSWORD})
    assert answer.status_code in (302, 303)
    assert 'data-testid="signed-in-as"' in client.get("/?lang=ja").get_data(as_text=True)


def test_kept_pages_are_per_address_and_language(app):
    kept_pages(app).clear()
    client = app.test_client()
    ja = client.get("/privacy?lang=ja").get_data(as_text=True)
    en = client.get("/privacy?lang=en").get_data(as_text=True)
    by_browser = app.test_client().get("/privacy", headers={"Accept-Language": "en"})
    assert '<html lang="ja">' in ja and '<html lang="en">' in en
    assert '<html lang="en">' in by_browser.get_data(as_text=True)
    contact = client.get("/contact?lang=en").get_data(as_text=True)
    assert 'data-testid="menu-contact" aria-current="page"' in contact
    assert 'data-testid="menu-privacy" aria-current="page"' in en
    assert len(kept_pages(app)) == 4


def test_nothing_of_a_signed_in_person_or_a_flashed_message_is_kept(app, client, db_session,
                                                                     registered):  # noqa: F811
    from portal.accounts import services as accounts

    kept_pages(app).clear()
    user = registered("keptpage02", family_name="山本", given_name="花子")
    with client.session_transaction() as session:
        session["sid"] = accounts.start_session(db_session, user)
    assert "山本 花子" in client.get("/privacy?lang=ja").get_data(as_text=True)
    assert not kept_pages(app)
    reader = app.test_client()
    with reader.session_transaction() as session:
        session["_flashes"] = [("info", "A message for this reader only")]
    assert "A message for this reader only" in reader.get("/contact?lang=en").get_data(
        as_text=True)
    assert not kept_pages(app)
    assert "A message for this reader only" not in reader.get("/contact?lang=en").get_data(
        as_text=True)
    (kept,) = kept_pages(app).values()
    assert "山本" not in kept and "A message" not in kept
