"""Background workers started by ``portal.serve`` beside the web server.

A feature that needs a loop (for example the mail sender) appends a function here; each
runs in its own process and stops with the server.
"""

from __future__ import annotations

from collections.abc import Callable

BACKGROUND: list[Callable[[], None]] = []
