"""The kinds of documents the search module indexes, handed to it by the features.

The search module knows no feature. A feature that wants its things found registers a
``Source`` when the app is created (``create_app`` calls each feature's ``register``):

- ``kind``: the document kind queries name (``"item"``, ``"article"``, …);
- ``load(session)``: the rows to index, in their display order;
- ``document(row, language)``: one row in one language as a ``Document`` — its reference
  (what a result names), title and other texts (normalised here), category facet, points
  (the points-range facet), position (the order without a query) and scope (a list of
  country codes written ``,JP,US,``, empty for everywhere).

A new searchable kind (orders, statements, guides) is a new source; nothing in
``portal/search`` changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Document:
    ref: str
    title: str
    texts: Sequence[str]
    category: str
    points: int = 0
    position: int = 0
    scope: str = ""


@dataclass(frozen=True)
class Source:
    kind: str
    load: Callable[[Session], Iterable[Any]]
    document: Callable[[Any, str], Document]


_sources: dict[str, Source] = {}


def register(source: Source) -> None:
    """Add (or replace) the source of ``source.kind``; the index is built in this order."""
    _sources[source.kind] = source


def sources() -> list[Source]:
    return list(_sources.values())


def get(kind: str) -> Source:
    try:
        return _sources[kind]
    except KeyError:
        raise LookupError(f"no search source registered for {kind!r}") from None
