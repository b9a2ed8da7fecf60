"""The mixed load journey (issue 13): pages, searches, enrollment steps and sign-ins at once.

    python bench/run.py --journey [--duration 60] [--connections 20] [--workers 2]
                                  [--database-url postgresql+psycopg://...]

Starts the portal with the sample data (SQLite, or the given database emptied and migrated
first), prepares a signed-out visitor's sign-in form and an add-new-user application in
progress with its session, then has wrk walk one list of requests at ``--connections``:
shell pages in both languages, catalog and resource-center searches (Japanese and English
words, on either language's page), the four enrollment steps and the "Add access" swap,
and sign-ins that succeed (a POST with the form's CSRF token; each makes a session). Prints
requests/s, p50/p95/p99 and the errors (any status of 400 or more, and socket errors) beside
the baseline route measured in the same run. The goal is zero errors.
"""

from __future__ import annotations

import http.cookiejar
import re
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from routes import BASELINE, enrollment_add_access, enrollment_page
from run import HERE, figures, lua_string, measure, start_portal

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PAGES = ["/?lang=ja", "/?lang=en", "/privacy?lang=en", "/contact?lang=ja",
         "/functions?lang=ja", "/login?lang=ja", "/enroll/?lang=ja", "/rewards/?lang=en"]
SEARCHES = ["/rewards/catalog?lang=ja&q=%E8%8C%B6",  # 茶
            "/rewards/catalog?lang=en&q=coffee",
            "/rewards/catalog?lang=en&q=%E3%82%BF%E3%82%AA%E3%83%AB",  # タオル on the English page
            "/rewards/catalog?lang=ja&q=towel",
            "/resources/search?lang=en&q=password",
            "/resources/search?lang=ja&q=%E7%94%B3"]  # 申
STEPS = ["/enroll/new/step/users", "/enroll/new/step/access", "/enroll/new/step/approvers",
         "/enroll/new/step/review"]
ADD_ACCESS = "/enroll/new/step/access/do/add-access?user=1&u1-a0-country=JP"


def sign_in_request(url: str, user_id: str, password: str) -> tuple[str, str, dict, str]:
    """A sign-in POST as the page's form sends it: the visitor's cookie and the form's token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{url}/login?lang=ja").read().decode()
    token = TOKEN.search(page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "user_id": user_id,
                                   "password": password})
    headers = {"Cookie": "; ".join(f"{c.name}={c.value}" for c in jar),
               "Content-Type": "application/x-www-form-urlencoded"}
    return "POST", "/login", headers, body


def journey(url: str) -> list[tuple[str, str, dict, str]]:
    """The requests one walk takes, in order: 8 pages, 6 searches, the 4 steps and the swap
    twice each, and one sign-in (argon2 makes it the costliest request by far)."""
    pages = [("GET", path, {"Accept-Language": "ja"}, "") for path in PAGES]
    searches = [("GET", path, {}, "") for path in SEARCHES]
    steps = [("GET", path, enrollment_page(url)["headers"], "") for path in STEPS]
    add = ("GET", ADD_ACCESS, enrollment_add_access(url)["headers"], "")
    sign_in = sign_in_request(url, "samplepa", "Sample#pa1")
    walk = []
    for n in range(2):
        walk += [*pages[n::2], *searches[n::2], *steps, add]
    return [*walk, sign_in]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check(url: str, steps: list[tuple[str, str, dict, str]]) -> None:
    """Every step once, one after the other: each must answer below 400 on its own."""
    opener = urllib.request.build_opener(_NoRedirect)
    for method, path, headers, body in steps:
        request = urllib.request.Request(f"{url}{path}", method=method, headers=headers,
                                         data=body.encode() if body else None)
        try:
            status = opener.open(request, timeout=60).status
        except urllib.error.HTTPError as error:
            status = error.code
        if status >= 400:
            raise SystemExit(f"{method} {path} answered {status} before the load")


def run_journey(url: str, duration: int, connections: int) -> tuple[dict, int]:
    steps = journey(url)
    check(url, steps)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write("steps = {\n")
        for method, path, headers, body in steps:
            fields = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
            handle.write(f"  {{{lua_string(method)}, {lua_string(path)}, {{{fields}}}, "
                         f"{lua_string(body) if body else 'nil'}}},\n")
        handle.write("}\n")
        handle.write((HERE / "journey.lua").read_text())
        handle.write((HERE / "report.lua").read_text())
        script = Path(handle.name)
    try:
        output = subprocess.run(
            # A slow answer is measured, not cut off: wrk's own limit is 2 s.
            ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s",
             "--timeout", "30s", "-s", str(script), url],
            capture_output=True, text=True, check=True).stdout
    finally:
        script.unlink()
    return figures(output, "the journey"), len(steps)


def empty_database(database_url: str) -> None:
    """Drop every table of ``database_url`` (a PostgreSQL database kept for the bench),
    creating the database first if the server has none of that name."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                             {"name": url.database}) is None:
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main(args) -> int:
    if args.database_url:
        empty_database(args.database_url)
    with tempfile.TemporaryDirectory() as tmp:
        process, url, env = start_portal(Path(tmp), args.workers,
                                         database_url=args.database_url or None)
        try:
            measure(url, BASELINE[1], 1, args.connections)  # warm up
            base = measure(url, BASELINE[1], min(args.duration, 10), args.connections)
            run_journey(url, 3, args.connections)  # every worker renders each page once
            walk, length = run_journey(url, args.duration, args.connections)
        finally:
            process.terminate()
            process.wait(timeout=10)
    backend = env["PORTAL_DATABASE_URL"].split(":", 1)[0].split("+")[0]
    print(f"\nMixed journey: {args.duration} s at {args.connections} connections, gunicorn "
          f"{args.workers} workers, {backend}; a walk of {length} requests (pages, searches, "
          "enrollment steps, sign-ins)\n")
    print("| route | req/s | p50 ms | p95 ms | p99 ms | requests | errors | req/s vs baseline |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in (("baseline `/healthz`", base), ("mixed journey", walk)):
        print(f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} "
              f"| {r['requests']} | {r['errors']} | {r['rps'] / base['rps']:.2f} |")
    print(f"\nErrors: {walk['errors']} (goal 0: {'met' if walk['errors'] == 0 else 'NOT met'})")
    return 0 if walk["errors"] == 0 else 1
