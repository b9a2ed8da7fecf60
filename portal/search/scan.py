"""The plain scan: what a query must return, computed without any index.

It normalises every item's or article's texts itself and keeps those that contain every
term, then counts, sorts and pages them with the same rules as :mod:`portal.search.index`.
The tests hold the index's answers against this.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from portal.search import sources
from portal.search.index import Query, Result
from portal.search.index import documents as source_documents
from portal.search.normalize import terms


def documents(rows: Mapping[str, Iterable[Any]]) -> list[dict[str, Any]]:
    """The documents of ``{kind: rows}``, made by each kind's registered source."""
    return [doc for kind, kind_rows in rows.items()
            for doc in source_documents(sources.get(kind), kind_rows)]


OTHER = {"ja": "en", "en": "ja"}


def scan(docs: list[dict[str, Any]], query: Query) -> Result:
    """A thing matches when its document in the page's language holds every word of the
    query (by that language's rules), or its document in the other language does (by that
    language's rules); a language whose rules find no word in the query is not searched,
    and when neither finds one, everything is listed. Relevance: the page's language's
    title, then its text, then the other language's title, then its text; then the
    catalog's order."""
    words = terms(query.text, query.language)
    other = OTHER[query.language]
    other_words = terms(query.text, other)
    searched = ([(query.language, words)] if words else []) + \
        ([(other, other_words)] if other_words else [])
    if not searched:
        searched = [(query.language, [])]
    best: dict[str, tuple[int, dict[str, Any]]] = {}
    for language, wanted in searched:
        first = 0 if language == query.language else 2
        for d in docs:
            if d["kind"] != query.kind or d["lang"] != language:
                continue
            if query.country and d["scope"] and f",{query.country}," not in d["scope"]:
                continue
            if query.max_points is not None and d["points"] > query.max_points:
                continue
            if not all(w in d["text"] for w in wanted):
                continue
            rank = first if all(w in d["title"] for w in wanted) else first + 1
            if d["ref"] not in best or rank < best[d["ref"]][0]:
                best[d["ref"]] = (rank, d)
    matching = list(best.values())
    categories: dict[str, int] = {}
    bands: dict[int, int] = {}
    for _rank, d in matching:
        if query.band is None or d["band"] == query.band:
            categories[d["category"]] = categories.get(d["category"], 0) + 1
        if query.category is None or d["category"] == query.category:
            bands[d["band"]] = bands.get(d["band"], 0) + 1
    chosen = [(rank, d) for rank, d in matching
              if (query.category is None or d["category"] == query.category)
              and (query.band is None or d["band"] == query.band)]
    if query.sort == "points_asc":
        chosen.sort(key=lambda rd: (rd[1]["points"], rd[1]["position"]))
    elif query.sort == "points_desc":
        chosen.sort(key=lambda rd: (-rd[1]["points"], rd[1]["position"]))
    elif words or other_words:
        chosen.sort(key=lambda rd: (rd[0], rd[1]["position"]))
    else:
        chosen.sort(key=lambda rd: rd[1]["position"])
    result = Result(query, words or other_words, [], len(chosen), len(matching), categories,
                    bands)
    start = (result.page - 1) * query.per_page
    result.refs = [d["ref"] for _rank, d in chosen[start:start + query.per_page]]
    return result
