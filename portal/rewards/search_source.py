"""The catalog's items as search documents (registered with ``portal.search.sources`` when
the app is created): name first, then the description and the item number's forms."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.rewards.models import CatalogItem
from portal.search.normalize import item_number_forms
from portal.search.sources import Document, Source
from portal.search.sources import register as register_source

KIND = "item"


def load(session: Session) -> list[Any]:
    table = CatalogItem.__table__
    return list(session.execute(select(table).where(table.c.active).order_by(table.c.position)))


def document(item: Any, lang: str) -> Document:
    return Document(
        ref=item.item_no, title=getattr(item, f"name_{lang}"),
        texts=[getattr(item, f"description_{lang}"), item_number_forms(item.item_no)],
        category=item.category, points=item.points, position=item.position,
    )


def register() -> None:
    register_source(Source(KIND, load, document))
