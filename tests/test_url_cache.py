"""The templates' remembered ``url_for`` (portal.templating.cached_url_for): the same address
as Flask's for every kind of call, whatever was asked before."""

from __future__ import annotations

import pytest
from flask import url_for

from portal import templating
from portal.templating import cached_url_for

CALLS = [
    ("rewards.catalog", {}),
    ("rewards.catalog", {"q": "茶", "page": 2}),
    ("rewards.catalog", {"q": "茶", "page": "2"}),
    ("rewards.catalog", {"q": "茶", "page": True}),
    ("rewards.catalog", {"q": "茶", "page": 1}),
    ("rewards.catalog", {"page": 2, "q": "茶"}),
    ("rewards.catalog", {"q": ["a", "b"]}),
    ("rewards.catalog", {"q": ["b", "a"]}),
    ("rewards.item", {"item_no": "D540-0598"}),
    ("rewards.item", {"item_no": "D540-0598", "lang": "en"}),
    ("resources.article", {"country": "jp", "slug": "passwords"}),
    ("static", {"filename": "css/portal.css"}),
    ("rewards.catalog", {"_anchor": "results"}),
    ("rewards.catalog", {"_external": True}),
]


@pytest.mark.parametrize("script_root", ["", "/portal"])
def test_same_address_as_flask_for_every_call_in_any_order(app, script_root):
    templating._urls.clear()
    for calls in (CALLS, list(reversed(CALLS)), CALLS):
        for endpoint, values in calls:
            with app.test_request_context("/rewards/catalog?q=x",
                                          base_url="http://portal.test" + script_root):
                assert cached_url_for(endpoint, **values) == url_for(endpoint, **values), \
                    (endpoint, values)
    assert templating._urls  # something was kept, so the comparisons above had teeth
    assert not any(name.startswith("_") for key in templating._urls for name, _ in key[2:])


def test_kept_addresses_depend_on_the_script_root(app):
    templating._urls.clear()
    with app.test_request_context("/", base_url="http://portal.test"):
        plain = cached_url_for("rewards.catalog", q="茶")
    with app.test_request_context("/", base_url="http://portal.test/sub"):
        assert cached_url_for("rewards.catalog", q="茶") == "/sub" + plain


def test_unhashable_values_and_outside_a_request_pass_through(app):
    with app.test_request_context("/"):
        size = len(templating._urls)
        value = bytearray(b"x")  # unhashable
        assert cached_url_for("rewards.catalog", q=value) == url_for("rewards.catalog", q=value)
        assert len(templating._urls) == size
    with app.app_context(), pytest.raises(RuntimeError):
        cached_url_for("rewards.catalog")


def test_the_store_is_bounded(app, monkeypatch):
    templating._urls.clear()
    monkeypatch.setattr(templating, "URLS_KEPT", 5)
    with app.test_request_context("/"):
        for n in range(12):
            assert cached_url_for("rewards.catalog", page=n) == url_for("rewards.catalog",
                                                                        page=n)
    assert len(templating._urls) <= 5


def test_pages_use_it(app):
    assert app.jinja_env.globals["url_for"] is cached_url_for
