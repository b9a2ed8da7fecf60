"""Bilingual content kept by translators: catalog items and resource articles.

The data files hold the English source text (``catalog_data/rewards_items.yaml``,
``catalog_data/resources.yaml``). Their texts form the gettext domain ``content``
(``translations/content.pot``, ``translations/<lang>/LC_MESSAGES/content.po``), which
translators keep with the same tools and checks as the UI copy (see
``translations/README.md``). Loading resolves every text in each language and stores both in
the database, where search indexes them; a text without a translation stops the load.

The catalogs are read with Babel's PO reader here (no compiled .mo is needed, and Flask-Babel
is not involved: it mishandles Japanese plurals when several domains are loaded through it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.reference.loader import DATA_DIR, DataError, Entry, _LineLoader, _upsert
from portal.settings import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
ITEMS_FILE = "rewards_items.yaml"
ARTICLES_FILE = "resources.yaml"
LANGS = ("ja", "en")

ITEM_CATEGORIES = ("drinks", "gifts", "digital", "certificates", "social", "travel")
ARTICLE_CATEGORIES = ("enrollment", "first_login", "access", "account", "rewards")
ARTICLE_KINDS = ("guide", "video")
ITEM_NO = re.compile(r"^[A-Z]\d{3}-\d{4}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COUNTRY = re.compile(r"^[A-Z]{2}$")


def _read(path: Path) -> list[Entry]:
    import yaml

    if not path.exists():
        raise DataError(f"{path.name}: file is missing")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise DataError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise DataError(f"{path.name}: the file must be a list of mappings")
    return [Entry(path, item) for item in data]


def _text(entry: Entry, key: str) -> str:
    value = entry.get(key, kind=str).strip()
    if not value:
        raise entry.fail(f"'{key}' must not be empty")
    return value


def _key(entry: Entry, key: str, pattern, shape: str, seen: dict[str, int],
         again: str) -> str:
    """``entry``'s identifier ``key``: it must match ``pattern`` (``shape`` says how) and
    not be one an earlier entry of the file has (``seen``: each one's line, updated);
    ``again`` words the second case, ``{}`` standing for the value."""
    value = entry.get(key, kind=str)
    if not pattern.match(value):
        raise entry.fail(f"'{key}' must {shape}, got {value!r}")
    if value in seen:
        raise entry.fail(f"{again.format(value)} on line {seen[value]}")
    seen[value] = entry.line
    return value


def _one_of(entry: Entry, key: str, allowed) -> str:
    value = entry.get(key, kind=str)
    if value not in allowed:
        raise entry.fail(f"'{key}' must be one of {', '.join(allowed)}")
    return value


def _paragraphs(entry: Entry, key: str, required: bool = True) -> list[str]:
    value = entry.get(key, ... if required else [], kind=list)
    if required and not value:
        raise entry.fail(f"'{key}' needs at least one paragraph")
    if not all(isinstance(p, str) and p.strip() for p in value):
        raise entry.fail(f"'{key}' must be a list of non-empty texts")
    return [p.strip() for p in value]


@dataclass
class SourceItem:
    line: int
    item_no: str
    category: str
    points: int
    in_stock: bool
    sample: bool
    name: str
    description: str


@dataclass
class SourceArticle:
    line: int
    slug: str
    kind: str
    category: str
    countries: list[str]
    title: str
    summary: str
    body: list[str]
    transcript: list[str]
    duration_seconds: int | None
    video_file: str


def parse_items(data_dir: Path | None = None) -> list[SourceItem]:
    items: list[SourceItem] = []
    seen: dict[str, int] = {}
    for entry in _read((data_dir or DATA_DIR) / ITEMS_FILE):
        item_no = _key(entry, "item_no", ITEM_NO, "look like D540-0598", seen,
                       "item {} is already listed")
        category = _one_of(entry, "category", ITEM_CATEGORIES)
        points = entry.get("points", kind=int)
        if isinstance(points, bool) or points <= 0:
            raise entry.fail("'points' must be a whole number above 0")
        items.append(SourceItem(
            entry.line, item_no, category, points, entry.get("in_stock", True, kind=bool),
            entry.get("sample", False, kind=bool), _text(entry, "name"),
            _text(entry, "description"),
        ))
        entry.check_no_unknown_keys()
    return items


def parse_articles(data_dir: Path | None = None) -> list[SourceArticle]:
    articles: list[SourceArticle] = []
    seen: dict[str, int] = {}
    for entry in _read((data_dir or DATA_DIR) / ARTICLES_FILE):
        slug = _key(entry, "slug", SLUG, "be lower-case words joined by -", seen,
                    "slug {} is already used")
        kind = _one_of(entry, "kind", ARTICLE_KINDS)
        category = _one_of(entry, "category", ARTICLE_CATEGORIES)
        countries = entry.get("countries", [], kind=list)
        if not all(isinstance(c, str) and COUNTRY.match(c) for c in countries):
            raise entry.fail("'countries' must list two-letter country codes such as JP")
        duration, video_file, transcript = None, "", []
        if kind == "video":
            duration = entry.get("duration_seconds", kind=int)
            if isinstance(duration, bool) or duration <= 0:
                raise entry.fail("'duration_seconds' must be a whole number above 0")
            video_file = entry.get("video_file", "", kind=str).strip()
            transcript = _paragraphs(entry, "transcript")
        articles.append(SourceArticle(
            entry.line, slug, kind, category, countries, _text(entry, "title"),
            _text(entry, "summary"), _paragraphs(entry, "body"), transcript, duration, video_file,
        ))
        entry.check_no_unknown_keys()
    return articles


def source_messages(data_dir: Path | None = None) -> Iterator[tuple[str, str, str]]:
    """Every translatable text of the data files: (msgid, file, translator comment)."""
    for item in parse_items(data_dir):
        yield item.name, f"catalog_data/{ITEMS_FILE}", f"item {item.item_no}: name"
        yield item.description, f"catalog_data/{ITEMS_FILE}", f"item {item.item_no}: description"
    for article in parse_articles(data_dir):
        where = f"catalog_data/{ARTICLES_FILE}"
        label = f"{article.kind} {article.slug}"
        yield article.title, where, f"{label}: title"
        yield article.summary, where, f"{label}: summary"
        for paragraph in article.body:
            yield paragraph, where, f"{label}: body paragraph"
        for paragraph in article.transcript:
            yield paragraph, where, f"{label}: transcript paragraph"


class ContentTranslations:
    """The ``content`` catalog of one language, read from its PO file."""

    def __init__(self, language: str, directory: Path | None = None) -> None:
        self.language = language
        path = (directory or TRANSLATIONS) / language / "LC_MESSAGES" / "content.po"
        self.messages: dict[str, str] = {}
        if path.exists():
            with path.open("rb") as handle:
                for message in read_po(handle, locale=language):
                    if message.id and message.string and not message.fuzzy:
                        self.messages[str(message.id)] = str(message.string)

    def get(self, msgid: str, where: str) -> str:
        text = self.messages.get(msgid)
        if text:
            return text
        if self.language == "en":
            return msgid  # the source text is English
        raise DataError(
            f"{where}: no {self.language} translation of {msgid!r} in the content catalog "
            "(run `make translations` and translate it; see translations/README.md)"
        )


def load(session: Session, data_dir: Path | None = None,
         translations_dir: Path | None = None) -> int:
    """Validate and store catalog items and articles in both languages. Returns rows changed."""
    from portal.resources.models import Article
    from portal.rewards.models import CatalogItem

    catalogs = {lang: ContentTranslations(lang, translations_dir) for lang in LANGS}
    item_rows: list[dict[str, Any]] = []
    for position, item in enumerate(parse_items(data_dir)):
        where = f"{ITEMS_FILE}, line {item.line}"
        row: dict[str, Any] = {
            "item_no": item.item_no, "category": item.category, "points": item.points,
            "in_stock": item.in_stock, "sample": item.sample, "position": position,
        }
        for lang, catalog in catalogs.items():
            row[f"name_{lang}"] = catalog.get(item.name, where)
            row[f"description_{lang}"] = catalog.get(item.description, where)
        item_rows.append(row)
    article_rows: list[dict[str, Any]] = []
    for position, article in enumerate(parse_articles(data_dir)):
        where = f"{ARTICLES_FILE}, line {article.line}"
        row = {
            "slug": article.slug, "kind": article.kind, "category": article.category,
            "countries": "".join(f",{c}" for c in article.countries) + ("," if article.countries
                                                                      else ""),
            "duration_seconds": article.duration_seconds, "video_file": article.video_file,
            "position": position,
        }
        for lang, catalog in catalogs.items():
            row[f"title_{lang}"] = catalog.get(article.title, where)
            row[f"summary_{lang}"] = catalog.get(article.summary, where)
            row[f"body_{lang}"] = "\n\n".join(catalog.get(p, where) for p in article.body)
            row[f"transcript_{lang}"] = "\n\n".join(
                catalog.get(p, where) for p in article.transcript
            )
        article_rows.append(row)
    changed = _upsert(session, CatalogItem, item_rows, ("item_no",))
    changed += _upsert(session, Article, article_rows, ("slug",))
    session.flush()
    return changed


def loaded_items(session: Session) -> int:
    from sqlalchemy import func

    from portal.rewards.models import CatalogItem

    return session.scalar(select(func.count()).select_from(CatalogItem)) or 0
