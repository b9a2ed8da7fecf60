"""Every example a search hint gives finds something, in both languages (issue 15): the
examples are read out of the rendered page and searched the way a person would."""

from __future__ import annotations

import html as html_lib
import re

import pytest

EXAMPLE = re.compile(r'data-testid="hint-example">([^<]+)</kbd>')


def examples(client, path: str) -> list[str]:
    page = client.get(path).get_data(as_text=True)
    found = [html_lib.unescape(e) for e in EXAMPLE.findall(page)]
    assert found, f"no examples in the hint of {path}"
    return found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_catalog_example_finds_an_item(client, lang):
    words = set(examples(client, f"/rewards/catalog?lang={lang}"))
    words |= set(examples(client, f"/rewards/?lang={lang}"))
    assert {"コーヒー", "茶", "wine", "D540-0598"} <= words
    for word in sorted(words):
        response = client.get("/rewards/catalog", query_string={"q": word, "lang": lang})
        if response.status_code in (302, 303):  # an item number opens the item
            assert "/rewards/items/" in response.headers["Location"], word
            continue
        items = re.findall(r'data-testid="catalog-item" data-item-no="([^"]+)"',
                           response.get_data(as_text=True))
        assert items, f"{word!r} finds nothing on the {lang} catalog page"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_resource_example_finds_a_guide(client, lang):
    words = examples(client, f"/resources/jp/?lang={lang}")
    assert "password" in words and "パスワード" in words
    for word in words:
        page = client.get("/resources/search", query_string={
            "q": word, "country": "JP", "lang": lang}).get_data(as_text=True)
        assert 'data-testid="resource-result"' in page, f"{word!r} finds nothing ({lang})"
