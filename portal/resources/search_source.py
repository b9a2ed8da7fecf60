"""The resource center's guides and videos as search documents (registered with
``portal.search.sources`` when the app is created): title first, then the summary, the body
and a video's transcript; ``scope`` lists the countries an article is shown in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.resources.models import Article
from portal.search.sources import Document, Source
from portal.search.sources import register as register_source

KIND = "article"


def load(session: Session) -> list[Any]:
    table = Article.__table__
    return list(session.execute(select(table).where(table.c.active).order_by(table.c.position)))


def document(article: Any, lang: str) -> Document:
    return Document(
        ref=article.slug, title=getattr(article, f"title_{lang}"),
        texts=[getattr(article, f"summary_{lang}"), getattr(article, f"body_{lang}"),
               getattr(article, f"transcript_{lang}")],
        category=article.category, position=article.position, scope=article.countries,
    )


def register() -> None:
    register_source(Source(KIND, load, document))
