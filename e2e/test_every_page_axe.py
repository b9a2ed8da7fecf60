"""axe-core on every page each kind of visitor can reach, in ja and en (issue 13 item 3).

For each visitor (signed out, the sample Program Administrator, back-office staff, the
sample cardmember) a bounded crawler starts from the visitor's home pages and follows the
same-origin ``<a href>`` links of each page: GET only, no sign-out, no downloads (a link
with ``download``, or an answer that is not ``text/html``). Each address is matched to its
Flask endpoint with the app's ``url_map`` and only the first address of each endpoint is
kept, so every page (route) is checked once per language, not every catalog item or
article. Each kept page is checked with axe (every impact) in ja (as it is crawled) and then
in en; no page may answer 5xx, no link may lead to a 404, and the page must be in the
language asked for. Signed out, the crawl runs on ``live_server``; the other visitors
share a portal of their own where the PA has ordered an item and the cardmember is set up,
so that the receipt, order and outbox pages exist and ``live_server`` is left as it was; a
newcomer starts there from the first-login link of the welcome email.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter, RequestRedirect

from e2e.a11y import violations
from e2e.cardmember.test_cardmember import set_up
from e2e.cardmember.test_cardmember import sign_in as cardmember_sign_in
from e2e.office.conftest import staff_sign_in
from e2e.points.test_orders import ITEM, fill_order
from e2e.points.test_points import sign_in
from portal.cardmember.sample import CODES
from portal.rewards.sample import CARDS

LANGS = ("ja", "en")
MAX_PAGES = 60  # per visitor; above what the crawl finds (the endpoint dedupe bounds it)
NEVER = {"static", "shell.healthz"}  # not pages
LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
    .filter(a => !a.hasAttribute('download')).map(a => a.href)"""


@dataclass
class Crawl:
    pages: dict[str, str] = field(default_factory=dict)  # endpoint -> first address
    problems: list[str] = field(default_factory=list)  # 5xx and 404 answers met
    refused: list[str] = field(default_factory=list)  # pages that answer 401/403 (checked)
    found: dict[str, list[str]] = field(default_factory=dict)  # address -> axe violations
    skipped: list[str] = field(default_factory=list)  # not text/html


def with_lang(address: str, lang: str) -> str:
    parts = urlsplit(address)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("lang", lang)]), fragment=""))


@pytest.fixture(scope="module")
def routes(live_server) -> MapAdapter:
    """The app's url_map, built in-process with the live server's settings."""
    with pytest.MonkeyPatch.context() as patch:
        for key in [k for k in os.environ if k.startswith("PORTAL_")]:
            patch.delenv(key)
        for key, value in live_server.env.items():
            patch.setenv(key, value)
        from portal import create_app
        from portal.extensions import db

        # Only the url_map is wanted. Building the app rebinds the shared database object,
        # and an engine another test made (with connections in its pool) would be left to
        # the garbage collector (a ResourceWarning on PostgreSQL): put it back.
        engine = db.engine
        app = create_app()
        db.engine.dispose()
        if engine is not None:
            db.session.remove()
            db.engine = engine
            db.session.configure(bind=engine)
    return app.url_map.bind("localhost")


def endpoint_of(routes: MapAdapter, path: str) -> str | None:
    try:
        endpoint, _ = routes.match(path, method="GET")
    except RequestRedirect as redirect:  # a missing trailing slash
        return endpoint_of(routes, urlsplit(redirect.new_url).path)
    except HTTPException:  # unknown, or not a GET route
        return None
    return endpoint


def crawl(context: BrowserContext, page: Page, origin: str, starts: list[str],
          routes: MapAdapter) -> Crawl:
    """Visit, in ja, the first address of each endpoint reachable from ``starts``; run axe on
    each as it is visited; then visit the same addresses in en and run axe again."""
    result = Crawl()
    queue = [f"{origin}{path}" for path in starts]
    while queue and len(result.pages) < MAX_PAGES:
        address = queue.pop(0)
        parts = urlsplit(address)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        endpoint = endpoint_of(routes, parts.path)
        if endpoint is None or endpoint in NEVER or "logout" in endpoint:
            continue
        if endpoint in result.pages:
            continue
        result.pages[endpoint] = address
        target = with_lang(address, LANGS[0])
        # Look before the browser goes: a download is not a page.
        answer = context.request.get(target)
        if answer.status >= 500 or answer.status in {404, 410}:  # a failure, a broken link
            result.problems.append(f"HTTP {answer.status}: GET {target}")
            continue
        if answer.status >= 400:  # a page that refuses this visitor (still a page to check)
            result.refused.append(f"{endpoint} {answer.status}")
        if not answer.headers.get("content-type", "").startswith("text/html"):
            result.skipped.append(f"{endpoint} {address} ({answer.headers.get('content-type')})")
            del result.pages[endpoint]
            continue
        check(page, target, result)
        queue.extend(page.evaluate(LINKS))
    for address in result.pages.values():
        check(page, with_lang(address, LANGS[1]), result)
    return result


def check(page: Page, target: str, result: Crawl) -> None:
    response = page.goto(target)
    status = response.status if response else 0
    if status >= 500:
        result.problems.append(f"HTTP {status}: GET {target}")
        return
    lang = parse_qsl(urlsplit(target).query)[-1][1]
    shown = page.evaluate("document.documentElement.lang")
    if not shown.startswith(lang):
        result.problems.append(f"{target} is in {shown!r}, not {lang!r}")
    found = violations(page)
    if found:
        result.found[target] = found


def report(who: str, result: Crawl, expected_at_least: int) -> None:
    print(f"\n{who}: {len(result.pages)} pages")
    for endpoint, address in sorted(result.pages.items()):
        print(f"  {endpoint:32} {urlsplit(address).path}?{urlsplit(address).query}")
    for skipped in result.skipped:
        print(f"  (not a page) {skipped}")
    for refused in result.refused:
        print(f"  (refused, checked all the same) {refused}")
    assert result.problems == [], "\n".join(result.problems)
    assert not result.found, "axe violations:\n" + "\n".join(
        f"{address}\n    " + "\n    ".join(found) for address, found in result.found.items())
    assert len(result.pages) >= expected_at_least, (
        f"{who}: the crawl found only {len(result.pages)} pages: {sorted(result.pages)}")


@pytest.fixture
def axe_context(browser: Browser):
    """A fresh context whose CSP lets axe be injected (every other browser test checks the
    page's own scripts against the CSP)."""
    contexts: list[BrowserContext] = []

    def make() -> tuple[BrowserContext, Page]:
        context = browser.new_context(bypass_csp=True)
        contexts.append(context)
        return context, context.new_page()

    yield make
    for context in contexts:
        context.close()


def timed(who: str, run: Callable[[], Crawl]) -> Crawl:
    started = time.monotonic()
    result = run()
    print(f"\n{who}: crawled and checked in {time.monotonic() - started:.1f} s")
    return result


def test_every_page_signed_out(axe_context, live_server, routes):
    context, page = axe_context()
    result = timed("signed out", lambda: crawl(
        context, page, live_server.url, ["/", "/login", "/backoffice/login", "/cardmember/setup"],
        routes))
    report("signed out", result, expected_at_least=19)


@dataclass
class Active:
    """A portal of its own where the PA has ordered an item (so a receipt, an order in the
    back office and an email in the outbox exist) and the sample cardmember is set up;
    nothing the other tests count changes."""
    url: str
    cardmember: str
    registration: str  # the path of a fresh first-login link of a sample newcomer


@pytest.fixture(scope="module")
def active(start_server, browser: Browser) -> Active:
    server = start_server("every-page")
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, server.url, "samplepa", "ja")
    page.goto(f"{server.url}/rewards/items/{ITEM}?lang=ja")
    page.get_by_test_id("item-order").click()
    fill_order(page, "ja")
    page.get_by_test_id("order-review-submit").click()
    page.get_by_test_id("order-confirm").click()
    expect(page.get_by_test_id("order")).to_have_attribute("data-status", "ordered")
    context.close()
    context = browser.new_context()
    login_id = set_up(context.new_page(), server.url, "ja", CARDS["C"][0], CODES["C"])
    context.close()
    # Seeding again issues fresh registration links to the sample newcomers (and prints them).
    links = re.findall(r"/register/\S+", server.flask("seed-sample").stdout)
    assert links, "seed-sample printed no registration link"
    return Active(server.url, login_id, links[0])


def test_every_page_of_the_program_administrator(axe_context, active, routes):
    context, page = axe_context()
    sign_in(page, active.url, "samplepa", "ja")
    result = timed("samplepa", lambda: crawl(
        context, page, active.url, ["/", "/rewards/"], routes))
    report("samplepa", result, expected_at_least=17)


def test_every_page_of_the_back_office(axe_context, active, routes):
    context, page = axe_context()
    staff_sign_in(page, active.url, "ja")
    result = timed("staff", lambda: crawl(context, page, active.url, ["/backoffice/"], routes))
    report("staff", result, expected_at_least=28)


def test_every_page_of_a_newcomer_from_the_welcome_email(axe_context, active, routes):
    context, page = axe_context()
    result = timed("newcomer", lambda: crawl(
        context, page, active.url, [active.registration], routes))
    assert "registration.start" in result.pages
    report("newcomer", result, expected_at_least=19)


def test_every_page_of_the_cardmember(axe_context, active, routes):
    context, page = axe_context()
    cardmember_sign_in(page, active.url, active.cardmember, "ja")
    result = timed("cardmember", lambda: crawl(
        context, page, active.url, ["/cardmember/"], routes))
    report("cardmember", result, expected_at_least=13)
