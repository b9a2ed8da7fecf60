"""The plain scan: what a query must return, computed without any index.

It normalises every item's or article's texts itself and keeps those that contain every
term, then counts, sorts and pages them with the same rules as :mod:`portal.search.index`.
The tests hold the index's answers against this.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from portal.search.index import Query, Result, article_documents, item_documents
from portal.search.normalize import terms


def documents(items: Iterable[Any] = (), articles: Iterable[Any] = ()) -> list[dict[str, Any]]:
    return [*item_documents(items), *article_documents(articles)]


def scan(docs: list[dict[str, Any]], query: Query) -> Result:
    words = terms(query.text, query.language)
    matching = [
        d for d in docs
        if d["kind"] == query.kind and d["lang"] == query.language
        and (not query.country or not d["scope"] or f",{query.country}," in d["scope"])
        and all(w in d["text"] for w in words)
    ]
    categories: dict[str, int] = {}
    bands: dict[int, int] = {}
    for d in matching:
        if query.band is None or d["band"] == query.band:
            categories[d["category"]] = categories.get(d["category"], 0) + 1
        if query.category is None or d["category"] == query.category:
            bands[d["band"]] = bands.get(d["band"], 0) + 1
    chosen = [d for d in matching
              if (query.category is None or d["category"] == query.category)
              and (query.band is None or d["band"] == query.band)]
    if query.sort == "points_asc":
        chosen.sort(key=lambda d: (d["points"], d["position"]))
    elif query.sort == "points_desc":
        chosen.sort(key=lambda d: (-d["points"], d["position"]))
    elif words:
        chosen.sort(key=lambda d: (0 if all(w in d["title"] for w in words) else 1,
                                   d["position"]))
    else:
        chosen.sort(key=lambda d: d["position"])
    result = Result(query, words, [], len(chosen), len(matching), categories, bands)
    start = (result.page - 1) * query.per_page
    result.refs = [d["ref"] for d in chosen[start:start + query.per_page]]
    return result
