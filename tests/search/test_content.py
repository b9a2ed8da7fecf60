"""Bilingual content: the loader, and the translators' check over the content domain."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from portal import content, i18n_tools
from portal.reference.loader import DataError
from portal.resources.models import Article
from portal.rewards.models import CatalogItem
from portal.settings import PROJECT_ROOT


def test_loading_twice_changes_nothing(db_session):
    assert content.load(db_session) == 0
    assert db_session.scalar(select(func.count()).select_from(Article)) >= 20


def test_articles_are_in_both_languages(db_session):
    guides = list(db_session.scalars(select(Article).where(Article.kind == "guide")))
    assert len(guides) >= 20
    for article in db_session.scalars(select(Article)):
        assert article.title_ja != article.title_en
        assert article.body_ja and article.body_en
        if article.kind == "video":
            assert article.duration_seconds and article.transcript_ja and article.transcript_en


def test_a_text_without_its_translation_stops_the_load(db_session, tmp_path):
    (tmp_path / "ja" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "ja" / "LC_MESSAGES" / "content.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"rewards_items\.yaml, line \d+: no ja translation"):
        content.load(db_session, translations_dir=tmp_path)


def test_a_mistake_in_the_items_file_names_the_line(db_session, tmp_path):
    text = (PROJECT_ROOT / "catalog_data" / "rewards_items.yaml").read_text(encoding="utf-8")
    (tmp_path / "rewards_items.yaml").write_text(
        text.replace("item_no: D515-0587", "item_no: D515/0587"), encoding="utf-8")
    with pytest.raises(DataError, match=r"rewards_items\.yaml, line \d+: 'item_no' must look"):
        content.parse_items(tmp_path)


DATA = PROJECT_ROOT / "catalog_data"


@pytest.mark.parametrize(("file", "parse", "change", "message"), [
    ("rewards_items.yaml", content.parse_items, ("item_no: D515-0587", "item_no: D540-0598"),
     r"rewards_items\.yaml, line (\d+): item D540-0598 is already listed on line (\d+)"),
    ("rewards_items.yaml", content.parse_items, ("category: drinks", "category: drink"),
     r"rewards_items\.yaml, line \d+: 'category' must be one of drinks, gifts"),
    ("resources.yaml", content.parse_articles, ("slug: passwords", "slug: Passwords"),
     r"resources\.yaml, line \d+: 'slug' must be lower-case words joined by -, got 'Passwords'"),
    ("resources.yaml", content.parse_articles, ("kind: guide", "kind: guid"),
     r"resources\.yaml, line \d+: 'kind' must be one of guide, video"),
])
def test_each_mistake_in_the_content_files_is_named_with_its_line(tmp_path, file, parse,
                                                                   change, message):
    text = (DATA / file).read_text(encoding="utf-8")
    assert change[0] in text
    (tmp_path / file).write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    shutil.copy(DATA / ("resources.yaml" if file == "rewards_items.yaml" else
                        "rewards_items.yaml"), tmp_path)
    with pytest.raises(DataError, match=message):
        parse(tmp_path)


def test_the_check_fails_on_a_missing_or_out_of_date_content_translation(tmp_path, monkeypatch):
    translations = tmp_path / "translations"
    shutil.copytree(i18n_tools.TRANSLATIONS, translations)
    data = tmp_path / "catalog_data"
    shutil.copytree(PROJECT_ROOT / "catalog_data", data)
    monkeypatch.setattr(i18n_tools, "TRANSLATIONS", translations)
    monkeypatch.setattr(i18n_tools, "POT", translations / "messages.pot")
    monkeypatch.setattr(i18n_tools, "CONTENT_POT", translations / "content.pot")
    monkeypatch.setattr(content, "DATA_DIR", data)
    assert i18n_tools.check() == 0

    # The English source of an item changes: the template is stale ...
    items = data / "rewards_items.yaml"
    items.write_text(items.read_text(encoding="utf-8").replace(
        "name: BALMUDA The Pot (black)", "name: BALMUDA The Pot kettle (black)"), encoding="utf-8")
    assert i18n_tools.check() == 1
    # ... and after `make translations` the Japanese entry is out of date (fuzzy or empty).
    i18n_tools.update()
    assert any("The Pot kettle" in p for p in i18n_tools.problems("ja", "content"))
    assert i18n_tools.check() == 1


def test_item_names_are_the_brochures(db_session):
    pot = db_session.get(CatalogItem, "D515-0587")
    assert pot.name_ja == "BALMUDA バルミューダ ザ・ポット（ブラック）"
    assert pot.name_en == "BALMUDA The Pot (black)"
