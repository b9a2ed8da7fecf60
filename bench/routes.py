"""The routes the benchmark loads. Later features append theirs to ``ROUTES``.

Each route is (name, path). The baseline route, ``/healthz``, is always measured in the same
run, and every other route's figures are printed as a ratio to it.
"""

BASELINE = ("baseline", "/healthz")

ROUTES: list[tuple[str, str]] = [
    ("home ja", "/?lang=ja"),
    ("home en", "/?lang=en"),
    ("functions", "/functions?lang=ja"),
    ("privacy", "/privacy?lang=en"),
    ("contact", "/contact?lang=ja"),
    ("not found", "/no-such-page"),
    ("login", "/login?lang=ja"),
]
