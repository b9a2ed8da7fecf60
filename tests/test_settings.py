from pathlib import Path

import pytest

from portal.settings import SETTINGS, load_settings, markdown_table


def test_defaults_are_safe(tmp_path):
    config = load_settings({"PORTAL_INSTANCE_DIR": str(tmp_path)})
    assert config["PORTAL_ENV"] == "production"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["TESTING"] is False
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'portal.db'}"
    assert config["FORM_TIME_LIMIT"] == 1200
    assert config["FORM_WARNING"] == 300
    assert config["FORM_MAX_EXTENSIONS"] == 10
    assert config["LOCKOUT_THRESHOLD"] == 3


def test_generated_secret_key_is_shared_by_workers(tmp_path):
    first = load_settings({"PORTAL_INSTANCE_DIR": str(tmp_path)})["SECRET_KEY"]
    second = load_settings({"PORTAL_INSTANCE_DIR": str(tmp_path)})["SECRET_KEY"]
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_explicit_values_are_parsed(tmp_path):
    config = load_settings({
        "PORTAL_INSTANCE_DIR": str(tmp_path),
        "PORTAL_ENV": "development",
        "PORTAL_SECRET_KEY": "k",
        "PORTAL_FORM_TIME_LIMIT": "60",
        "PORTAL_SESSION_COOKIE_SECURE": "yes",
        "PORTAL_DATABASE_URL": "postgresql+psycopg://u@h/db",
    })
    assert config["SECRET_KEY"] == "k"
    assert config["FORM_TIME_LIMIT"] == 60
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["DATABASE_URL"].startswith("postgresql")


def test_development_cookie_is_not_secure_by_default(tmp_path):
    config = load_settings({"PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_ENV": "development"})
    assert config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORTAL_FORM_TIME_LIMIT": "twenty"}, "PORTAL_FORM_TIME_LIMIT must be a whole number"),
        ({"PORTAL_ENV": "staging"}, "PORTAL_ENV must be"),
        ({"PORTAL_SESSION_COOKIE_SECURE": "maybe"}, "not a boolean"),
    ],
)
def test_bad_values_say_what_is_wrong(tmp_path, env, message):
    with pytest.raises(ValueError, match=message):
        load_settings({"PORTAL_INSTANCE_DIR": str(tmp_path), **env})


def test_readme_documents_every_setting():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.env}`" in readme, setting.env
    assert markdown_table().splitlines()[0] in readme


@pytest.mark.parametrize(("count", "expected"), [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_client_address_behind_a_proxy(app, count, expected):
    """With PORTAL_PROXY_COUNT the per-address limits see the client, not the proxy; without
    it a forged header changes nothing. (The session's app is wrapped and restored: a second
    app would take over the shared database handle.)"""
    from portal import trust_proxies

    original, before = app.wsgi_app, app.config["PROXY_COUNT"]
    app.config["PROXY_COUNT"] = count
    try:
        trust_proxies(app)
        answer = app.test_client().get(
            "/_test/address", headers={"X-Forwarded-For": "203.0.113.7"})
    finally:
        app.wsgi_app, app.config["PROXY_COUNT"] = original, before  # type: ignore[method-assign]
    assert answer.get_data(as_text=True) == expected
