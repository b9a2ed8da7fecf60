"""Security headers on every response of every route, prefixed cookies where Secure is on,
and no open redirect through a ``next`` parameter (issue 13, item 2)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from portal import security
from portal.accounts.current import safe_next as user_next
from portal.backoffice.auth import safe_next as staff_next
from tests.accounts.conftest import PASSWORD as USER_PASSWORD
from tests.accounts.conftest import page_csrf
from tests.backoffice.conftest import sign_in as staff_sign_in

ARGUMENTS = {"int": "1", "default": "x", "string": "x", "path": "x", "uuid":
             "00000000-0000-0000-0000-000000000000"}


def concrete(rule: Rule) -> str:
    """An address for ``rule`` with a plausible value for each argument."""
    def value(match: re.Match) -> str:
        converter = match.group(1) or "default"
        return ARGUMENTS.get(converter, "x")

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", value, rule.rule)


def assert_hardened(response, where: str) -> None:
    headers = response.headers
    assert "frame-ancestors 'none'" in headers.get("Content-Security-Policy", ""), where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in {"same-origin", "no-referrer",
                                              "strict-origin-when-cross-origin"}, where
    policy = headers.get("Permissions-Policy", "")
    assert "camera=()" in policy and "geolocation=()" in policy, where
    assert headers.get("Strict-Transport-Security", "").startswith("max-age="), where
    assert int(headers["Strict-Transport-Security"].split("=")[1].split(";")[0]) >= 15552000


def walk(app, client):
    seen = 0
    for rule in app.url_map.iter_rules():
        path = concrete(rule)
        for method in sorted((rule.methods or set()) - {"OPTIONS"}):
            response = client.open(path, method=method)
            assert_hardened(response, f"{method} {path} -> {response.status_code}")
            seen += 1
    return seen


def test_every_route_answers_with_the_security_headers(app, client):
    count = walk(app, client)
    assert count >= len(list(app.url_map.iter_rules()))
    # Errors and the unexpected failure page too.
    assert_hardened(client.get("/no/such/page"), "404")
    assert_hardened(client.get("/_test/boom"), "500")
    assert_hardened(client.post("/_test/echo", data={"x": "1"}), "csrf 400")
    assert_hardened(client.get("/", headers={"HX-Request": "true"}), "htmx")


def test_every_route_for_signed_in_staff_has_the_headers(app, client, staff):
    assert staff_sign_in(client).status_code == 302
    walk(app, client)


def test_hsts_is_left_out_in_development(second_app, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "development")
    development = second_app({"PORTAL_ENV": "development"})
    response = development.test_client().get("/static/does-not-exist.css")
    assert "Strict-Transport-Security" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_cookie_names_take_a_prefix_only_when_secure():
    assert security.cookie_name("a", secure=False) == "a"
    assert security.cookie_name("a", secure=True) == "__Host-a"
    assert security.cookie_name("a", secure=True, path="/backoffice") == "__Secure-a"


@pytest.fixture
def secure_cookies(app, monkeypatch):
    """The test app as in production: Secure cookies, so prefixed names (restored after)."""
    for key in ("SESSION_COOKIE_SECURE", "SESSION_COOKIE_NAME", "LANGUAGE_COOKIE_NAME",
                "STAFF_COOKIE_NAME"):
        monkeypatch.setitem(app.config, key, app.config.get(key))
    app.config["SESSION_COOKIE_SECURE"] = True
    security.configure_cookies(app)
    return HttpsClient(app, app.response_class, use_cookies=True)


class HttpsClient(FlaskClient):
    """A test client whose requests arrive over https (so Secure cookies are sent back)."""

    def open(self, *args, **kwargs):
        if args and isinstance(args[0], str):
            kwargs.setdefault("base_url", "https://localhost")
        return super().open(*args, **kwargs)


def set_cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_secure_cookies_are_host_prefixed(secure_cookies, staff):
    client = secure_cookies
    page = client.get("/login?lang=en")
    cookies = set_cookies(page)
    language = next(c for c in cookies if "portal_lang=" in c)
    assert language.startswith("__Host-portal_lang=en") and "Secure" in language
    assert "Path=/" in language and "Domain" not in language
    session_cookie = next(c for c in cookies if "portal_session=" in c)
    assert session_cookie.startswith("__Host-portal_session=") and "Secure" in session_cookie
    assert "Path=/;" in session_cookie or session_cookie.endswith("Path=/")
    # The language read back from the prefixed cookie.
    assert 'lang="en"' in client.get("/login").get_data(as_text=True)

    response = staff_sign_in(client)
    assert response.status_code == 302
    staff_cookie = next(c for c in set_cookies(response) if "portal_staff=" in c)
    assert staff_cookie.startswith("__Secure-portal_staff=") and "Secure" in staff_cookie
    assert "Path=/backoffice" in staff_cookie
    assert client.get("/backoffice/").status_code == 200  # the prefixed cookie is read


ATTACKS = [
    "https://evil.example/", "//evil.example/", "///evil.example", "/\\evil.example",
    "\\\\evil.example", "/\t/evil.example", "/\n/evil.example", " //evil.example",
    "/\r\n/evil.example", "http:evil.example", "javascript:alert(1)", "https:/evil.example",
    "/%09/evil.example".replace("%09", "\t"), "\x00//evil.example", "//evil.example@x/",
    "/backoffice/\t/evil", "data:text/html,hi",
]


def leaves_site(location: str) -> bool:
    """Would a browser following ``location`` (tabs and newlines dropped, backslashes read
    as slashes) leave this site?"""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip().replace("\\", "/")
    parts = urlsplit(cleaned)
    return bool(parts.scheme and parts.netloc not in ("localhost", "")) or \
        cleaned.startswith("//") or parts.scheme not in ("", "http", "https")


@pytest.mark.parametrize("target", ATTACKS)
def test_return_targets_never_leave_the_site(target):
    assert user_next(target) is None
    assert staff_next(target) is None


def test_return_targets_on_the_site_are_kept():
    assert user_next("/rewards/?x=1") == "/rewards/?x=1"
    assert staff_next("/backoffice/mail?page=2") == "/backoffice/mail?page=2"
    assert staff_next("/rewards/") is None  # staff only return into the back office


@pytest.mark.parametrize("target", ATTACKS)
def test_staff_sign_in_does_not_redirect_off_site(client, staff, target):
    response = staff_sign_in(client, next=target)
    if "\x00" in target:  # a NUL anywhere in the input is refused outright
        assert response.status_code == 400
        return
    assert response.status_code == 302
    assert not leaves_site(response.headers["Location"]), response.headers["Location"]
    assert response.headers["Location"].endswith("/backoffice/")


@pytest.mark.parametrize("target", ATTACKS)
def test_user_sign_in_does_not_redirect_off_site(client, registered, target):
    registered("tanaka01")
    if "\x00" in target:  # a NUL anywhere in the input is refused outright
        assert client.get("/login?next=" + target.replace("\x00", "%00")).status_code == 400
        return
    path = "/login?" + "&".join(["lang=en", "next=" + target.replace("\n", "%0A")
                                 .replace("\r", "%0D").replace("\t", "%09").replace("&", "%26")])
    token = page_csrf(client.get(path).get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, "user_id": "tanaka01",
                                       "password": USER_PASSWORD})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    assert not leaves_site(response.headers["Location"]), response.headers["Location"]
    # Signed in: the sign-in page sends a visitor straight on, to a safe place.
    again = client.get(path)
    assert again.status_code == 302 and not leaves_site(again.headers["Location"])
