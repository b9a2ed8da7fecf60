"""A page whose htmx arrives late, as on a slow connection: what the person does before the
scripts run must still take effect once they have."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Page

HTMX = "**/vendor/htmx.min.js"


@contextmanager
def htmx_held(page: Page) -> Iterator[None]:
    """Hold back htmx.min.js for the pages loaded inside the block; on leaving it, assert
    htmx had not run yet, wait for the held request and let it through."""
    held = []
    page.route(HTMX, lambda route: held.append(route))
    yield
    assert page.evaluate("typeof window.htmx") == "undefined"
    while not held:
        page.wait_for_timeout(50)
    held[0].continue_()
    page.unroute(HTMX)
