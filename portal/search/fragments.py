"""Rendered search results, kept per worker process.

The results of a catalog or resource-center search (the facets, the list, the pager) are the
same HTML for everybody who asks the same thing in the same language until the index is
rebuilt. Rendering them is most of a cached search's time, so each worker keeps the HTML of
the pages it has answered (least recently used out, at most ``PORTAL_SEARCH_CACHE_SIZE``) with
the small :class:`~portal.search.index.Result` the rest of the page needs (the count).

Keys hold the language and the cleaned parameters; every entry belongs to one index state
(database and version, :func:`portal.search.index.state`), and a new state empties the cache.
A fragment is handed to everybody asking for its key, so it must hold nothing of one person
or one response: no CSRF token, no CSP nonce, no session data. For signed-out readers the
whole page is kept as well, with stand-ins where the nonce and the token go
(:meth:`Fragments.page`); for others the page around the kept content is rendered for every
request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from flask import request
from markupsafe import Markup
from sqlalchemy.orm import Session

from portal import templating
from portal.search import index
from portal.search.index import Result

Render = Callable[[], tuple[str, Result]]


class Fragments:
    def __init__(self) -> None:
        self.cache = index.LRUCache()
        self.state: tuple | None = None
        self.lock = threading.Lock()

    def get(self, session: Session, key: Hashable, size: int, render: Render
            ) -> tuple[Markup, Result]:
        """The HTML and result for ``key``: kept ones, or ``render()``'s (then kept; not when
        the HTML is None)."""
        if size <= 0:
            html, result = render()
            return (Markup(html) if html is not None else None), result
        state = index.state(session)
        with self.lock:
            if state != self.state:
                self.cache.clear()
                self.state = state
        key = (state, key)  # the state in the key too: threads on two databases stay apart
        found = self.cache.get(key)
        if found is None:
            html, result = render()
            if html is None:
                return None, result
            found = (Markup(html), result)
            self.cache.put(key, found, size)
        return found

    def page(self, session: Session, key: Hashable, size: int, render: Callable[[], str]
             ) -> str:
        """A whole page: for a signed-out reader the one kept for ``key`` (the language and
        the address: every argument shows in the page) with this response's nonce and CSRF
        token put in (:func:`portal.templating.shared_page`), else ``render()``."""
        if size <= 0 or not templating.page_is_shared():
            return render()
        key = ("page", key, request.script_root, request.full_path)
        html, _result = self.get(session, key, size,
                                 lambda: (templating.shared_page(render), None))
        return templating.fill_page(html) if html is not None else render()

    def clear(self) -> None:
        with self.lock:
            self.cache.clear()
            self.state = None


fragments = Fragments()
