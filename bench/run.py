"""Load the portal with wrk and print each route's figures beside the baseline route's.

    python bench/run.py [--duration 5] [--connections 20] [--routes NAME ...]
    python bench/run.py --search [--items 100000] [--articles 10000]
    python bench/run.py --rewards [--cards 200] [--transactions 1000000]
    python bench/run.py --journey [--duration 60] [--database-url URL] [--workers 4]

Starts the portal under gunicorn (2 workers, SQLite, sample data) on a free local port,
measures the baseline route and the routes of ``bench/routes.py`` in one run, and prints a
Markdown table: requests/s, p50 and p95 latency, bytes per response (headers included), and
ratios to the baseline. Requests wrk counts as errors (a status of 400 or more included) are
shown in their own column.
Not part of CI: figures depend on the machine; the ratios are what to compare.

``--search`` generates a large catalog and resource center (``bench/search_data.py``) in the
benchmark's own database, reports how long the search index took to build, then measures
each query class of ``SEARCH_CLASSES`` at one connection (p50/p95) and the mixed set at
``--connections``, beside the baseline route, plus each class's answers without the
per-worker cache (in process, first answer of every query) against the 25 ms goal;
``--cold-url URL`` times those on another database too (PostgreSQL, filled by
``bench/search_data.py``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))

from routes import BASELINE, ROUTES, SEARCH_CLASSES  # noqa: E402

LINE = re.compile(r"BENCH rps=([\d.]+) p50=([\d.]+) p95=([\d.]+) p99=([\d.]+) "
                  r"requests=(\d+) errors=(\d+) bytes=(\d+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_portal(workdir: Path, workers: int, prepare=None, database_url: str | None = None
                 ) -> tuple[subprocess.Popen, str, dict]:
    port = free_port()
    env = dict(os.environ, PORTAL_ENV="test", PORTAL_INSTANCE_DIR=str(workdir),
               PORTAL_SECRET_KEY="bench",
               PORTAL_DATABASE_URL=database_url or f"sqlite:///{workdir / 'bench.db'}")
    flask = [sys.executable, "-m", "flask", "--app", "portal"]
    subprocess.run([*flask, "migrate"], cwd=PROJECT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "seed-sample"], cwd=PROJECT, env=env, check=True,
                   capture_output=True)
    if prepare is not None:
        prepare(env["PORTAL_DATABASE_URL"])
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", str(workers),
         "--log-level", "warning", "portal.wsgi:app"],
        cwd=PROJECT, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1).read()
            return process, url, env
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the portal did not start")


def measure(url: str, path: str, duration: int, connections: int,
            request: dict | None = None) -> dict[str, float]:
    """Load ``path``; ``request`` (from a route's prepare function) may give a method, a
    body and headers (a session cookie, a CSRF token, ``HX-Request``)."""
    request = request or {}
    script = HERE / "report.lua"
    headers = ["-H", "Accept-Language: ja"]
    for name, value in (request.get("headers") or {}).items():
        headers += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        if request.get("method"):
            handle.write(f"wrk.method = {lua_string(request['method'])}\n")
        if request.get("body") is not None:
            handle.write(f"wrk.body = {lua_string(request['body'])}\n")
        handle.write(script.read_text())
        script = Path(handle.name)
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s",
               "-s", str(script), *headers, f"{url}{path}"]
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        script.unlink()
    return figures(output, path)


def figures(output: str, what: str) -> dict[str, float]:
    """The line report.lua printed in wrk's ``output``, as numbers (bytes per response)."""
    match = LINE.search(output)
    if not match:
        raise SystemExit(f"wrk printed no figures for {what}:\n{output}")
    rps, p50, p95, p99, requests, errors, total = match.groups()
    return {"rps": float(rps), "p50": float(p50), "p95": float(p95), "p99": float(p99),
            "errors": int(errors), "bytes": int(total) / max(int(requests), 1),
            "requests": int(requests)}


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def measure_set(url: str, paths: list[str], duration: int, connections: int) -> dict[str, float]:
    """Like :func:`measure`, cycling through ``paths``."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
    try:
        command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s",
                   "-s", str(HERE / "mixed.lua"), "-H", "Accept-Language: ja", url, "--",
                   handle.name]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(handle.name)
    return figures(output, f"{paths[0]}...")


def warm_up(url: str, paths: list[str], workers: int, connections: int) -> None:
    """Have each worker answer each path. Requests one after the other may all reach the
    same worker, so each path is asked by several clients at once (while one worker is busy
    with the first, slow answer, the others take the rest), then the whole set is loaded at
    ``connections`` for a few seconds."""
    from concurrent.futures import ThreadPoolExecutor

    def get(path: str) -> None:
        urllib.request.urlopen(f"{url}{path}", timeout=120).read()

    with ThreadPoolExecutor(workers * 4) as pool:
        for _ in range(2):
            for path in paths:
                list(pool.map(get, [path] * (workers * 4)))
    measure_set(url, paths, 3, connections)


COLD_GOAL_MS = 25


def cold_latencies(database_url: str) -> dict[str, tuple[float, float]]:
    """p50 and p95 (ms) per class of answering each query once, without the cache, in a
    process started as a worker is (``portal.wsgi``: ``index.warm`` reads what is kept per
    build of the index, then ``gc.freeze``); no answer of any query is kept."""
    import gc
    from urllib.parse import parse_qs, urlsplit

    from sqlalchemy.orm import Session

    from portal.db import make_engine
    from portal.search import index

    engine = make_engine(database_url)
    found = {}
    with Session(engine) as session:
        started = time.perf_counter()
        index.warm(session)
        warm_ms = (time.perf_counter() - started) * 1000
        gc.collect()
        gc.freeze()
        for name, paths in SEARCH_CLASSES.items():
            if name == "mixed":
                continue
            times = []
            for path in paths:
                parts = urlsplit(path)
                args = {k: v[0] for k, v in parse_qs(parts.query).items()}
                kind = "article" if parts.path.startswith("/resources") else "item"
                started = time.perf_counter()
                index.run(session, index.Query(kind, args["lang"], args.get("q", "")))
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            found[name] = (times[len(times) // 2], times[min(len(times) - 1,
                                                             int(len(times) * 0.95))])
    engine.dispose()
    found["worker start"] = (warm_ms, warm_ms)
    return found


def search_main(args) -> int:
    sys.path.insert(0, str(PROJECT))
    from search_data import generate

    build: dict[str, float] = {}

    def prepare(database_url: str) -> None:
        build["seconds"] = generate(database_url, args.items, args.articles)
        build["url"] = database_url

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        process, url, _env = start_portal(Path(tmp), args.workers, prepare)
        try:
            measure(url, BASELINE[1], 1, args.connections)  # warm up
            # Steady state: every worker has answered every query before measuring (the
            # cold answers are measured apart, below).
            warm_up(url, SEARCH_CLASSES["mixed"], args.workers, args.connections)
            base = measure(url, BASELINE[1], args.duration, args.connections)
            base1 = measure(url, BASELINE[1], args.duration, 1)
            rows = [(f"{BASELINE[0]}, {args.connections} conn.", BASELINE[1], base, base),
                    (f"{BASELINE[0]}, 1 conn.", BASELINE[1], base1, base1)]
            for name, paths in SEARCH_CLASSES.items():
                if name == "mixed":
                    continue
                rows.append((f"{name}, 1 conn.", f"{len(paths)} queries",
                             measure_set(url, paths, args.duration, 1), base1))
            mixed = SEARCH_CLASSES["mixed"]
            rows.append((f"mixed, {args.connections} conn.", f"{len(mixed)} queries",
                         measure_set(url, mixed, args.duration, args.connections), base))
            rss = worker_rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)
        load_after = os.getloadavg()
        cold = cold_latencies(build["url"])
    print(f"\n{args.items:,} items and {args.articles:,} articles; search index built in "
          f"{build['seconds']:.1f} s; {args.duration} s per row, gunicorn {args.workers} "
          "workers, SQLite; every worker answered every query before measuring (warm "
          f"caches); load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
          f"({os.cpu_count()} CPUs)\n")
    print("| route | path | req/s | p50 ms | p95 ms | bytes | errors | req/s vs baseline "
          "| p95 vs baseline |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, path, r, against in rows:
        print(f"| {name} | `{path}` | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
              f"{r['bytes']:.0f} | {r['errors']} | {r['rps'] / against['rps']:.2f} | "
              f"{r['p95'] / against['p95']:.2f} |")
    print(f"\nWorker memory after the run (RSS, the catalog loaded and every query answered; "
          f"goal <= {RSS_GOAL_MB} MB per worker): "
          + ", ".join(f"{mb:.0f} MB" for mb in rss)
          + f" ({'met' if rss and max(rss) <= RSS_GOAL_MB else 'not met'})")
    print_cold("SQLite", cold)
    if args.cold_url:
        print_cold(args.cold_url.split(":", 1)[0], cold_latencies(args.cold_url))
    return 0


RSS_GOAL_MB = 150


def worker_rss_mb(master: int) -> list[float]:
    """The resident memory (MB) of each worker of the gunicorn ``master`` (Linux /proc)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def print_cold(backend: str, cold: dict[str, tuple[float, float]]) -> None:
    load = os.getloadavg()[0]
    print(f"\nWithout any cache, {backend} (in process: the index's answer, facet counts "
          f"included, each query asked once; goal p95 <= {COLD_GOAL_MS} ms; load average "
          f"{load:.1f}):\n")
    cold = dict(cold)
    warm_ms = cold.pop("worker start")[0]
    print("| class | p50 ms | p95 ms | goal |\n|---|---:|---:|---|")
    for name, (p50, p95) in cold.items():
        print(f"| {name} | {p50:.1f} | {p95:.1f} | "
              f"{'met' if p95 <= COLD_GOAL_MS else 'not met'} |")
    print(f"\n(Before the first query, once per worker and build of the index: index.warm "
          f"{warm_ms:.0f} ms.)")


def _signed_in(url: str, user_id: str, password: str) -> dict:
    """A wrk request carrying the session cookie of ``user_id`` signed in through the page."""
    import http.cookiejar
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{url}/login?lang=ja").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "user_id": user_id,
                                   "password": password}).encode()
    opener.open(f"{url}/login", data=body).read()
    return {"headers": {"Cookie": "; ".join(f"{c.name}={c.value}" for c in jar)}}


def print_table(args, rows: list, base: dict[str, float]) -> None:
    """The Markdown table of ``rows`` (name, path, figures), with ratios to ``base``."""
    print(f"\n{args.connections} connections, {args.duration} s per route, gunicorn "
          f"{args.workers} workers, SQLite\n")
    print("| route | path | req/s | p50 ms | p95 ms | bytes | errors | req/s vs baseline "
          "| p95 vs baseline |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, path, r in rows:
        print(f"| {name} | `{path}` | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
              f"{r['bytes']:.0f} | {r['errors']} | {r['rps'] / base['rps']:.2f} | "
              f"{r['p95'] / base['p95']:.2f} |")


def redeem_rate(url: str, pa: dict, duration: int, connections: int) -> dict[str, float]:
    """Flexible Savings of 1 point at ``connections`` at once, each with its own key."""
    page_request = urllib.request.Request(f"{url}/rewards/redeem/savings?lang=ja",
                                          headers=pa["headers"])
    page = urllib.request.urlopen(page_request).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    card = re.search(r'<option value="(\d+)"', page).group(1)
    body = f"csrf_token={token}&step=confirm&card={card}&points=1"
    headers = {**pa["headers"], "Content-Type": "application/x-www-form-urlencoded"}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(f"path = {lua_string('/rewards/redeem/savings')}\n")
        handle.write(f"body = {lua_string(body)}\n")
        handle.write("headers = {" + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}"
                                               for k, v in headers.items()) + "}\n")
        handle.write((HERE / "redeem.lua").read_text())
        handle.write((HERE / "report.lua").read_text())
        script = Path(handle.name)
    try:
        output = subprocess.run(
            ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "-s",
             str(script), url], capture_output=True, text=True, check=True).stdout
    finally:
        script.unlink()
    return figures(output, "the redemptions")


def rewards_main(args) -> int:
    """Import ``--transactions`` charges on ``--cards`` cards, then load the PA's pages."""
    from rewards_data import generate

    figures: dict[str, float] = {}

    def prepare(database_url: str) -> None:
        figures.update(generate(database_url, args.cards, args.transactions))

    with tempfile.TemporaryDirectory() as tmp:
        process, url, env = start_portal(Path(tmp), args.workers, prepare)
        try:
            pa = _signed_in(url, "samplepa", "Sample#pa1")
            measure(url, BASELINE[1], 1, args.connections)  # warm up
            base = measure(url, BASELINE[1], args.duration, args.connections)
            rows = [(BASELINE[0], BASELINE[1], base)]
            for name, path in (("rewards home (PA)", "/rewards/?lang=ja"),
                               ("points dashboard (PA)", "/rewards/points/dashboard?lang=ja"),
                               ("points history (PA)", "/rewards/points/history?lang=ja")):
                # Every worker computes what it keeps of this page before measuring.
                from concurrent.futures import ThreadPoolExecutor

                def fetch(_n, path=path):
                    request = urllib.request.Request(url + path, headers=pa["headers"])
                    return urllib.request.urlopen(request, timeout=120).read()

                with ThreadPoolExecutor(args.workers * 2) as pool:
                    list(pool.map(fetch, range(args.workers * 4)))
                measure(url, path, 1, args.connections, pa)
                rows.append((name, path, measure(url, path, args.duration, args.connections,
                                                 pa)))
            spent = redeem_rate(url, pa, args.duration, args.connections)
            rows.append(("redeem: Flexible Savings (PA)", "/rewards/redeem/savings", spent))
            invariant = _invariant(env["PORTAL_DATABASE_URL"])
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(f"\nImport: {figures['imported']:,.0f} transactions on {args.cards} cards in "
          f"{figures['seconds']:.1f} s = {figures['rate']:,.0f} transactions/s "
          f"(goal >= 20,000 on SQLite); {figures['points']:,.0f} points; peak RSS "
          f"{figures['rss_mb']:.0f} MB (+{figures['rss_growth_mb']:.0f} MB during the import)")
    print_table(args, rows, base)
    same = "equal" if invariant[0] == invariant[1] else "DIFFERENT"
    print(f"\nAfter {spent['requests']:,} redemptions: balance {invariant[0]:,} points, the "
          f"ledger's sum {invariant[1]:,} ({same}; goal: redemptions/s at least 0.2 of the "
          "baseline's requests/s with zero errors)")
    return 0


def _invariant(database_url: str) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        balance, total = connection.execute(text(
            "SELECT a.balance, (SELECT COALESCE(SUM(points), 0) FROM points_entry e "
            "WHERE e.account_id = a.id) FROM program_account a ORDER BY a.id LIMIT 1")).one()
    engine.dispose()
    return balance, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--routes", nargs="*", help="names from bench/routes.py (default: all)")
    parser.add_argument("--search", action="store_true",
                        help="benchmark search on a generated catalog (see bench/search_data.py)")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--cold-url", default="",
                        help="with --search: also time the uncached answers on this database "
                             "(for example PostgreSQL), filled by bench/search_data.py")
    parser.add_argument("--rewards", action="store_true",
                        help="import a generated statement and load the PA's points pages")
    parser.add_argument("--journey", action="store_true",
                        help="the mixed load journey (see bench/journey.py)")
    parser.add_argument("--database-url", default="",
                        help="with --journey: this database instead of SQLite (it is emptied)")
    parser.add_argument("--cards", type=int, default=200)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run `make setup` (it installs the Debian package)")
    if args.search:
        return search_main(args)
    if args.rewards:
        return rewards_main(args)
    if args.journey:
        import journey

        return journey.main(args)
    routes = [r for r in ROUTES if not args.routes or r[0] in args.routes]
    with tempfile.TemporaryDirectory() as tmp:
        process, url, _env = start_portal(Path(tmp), args.workers)
        try:
            measure(url, BASELINE[1], 1, args.connections)  # warm up
            base = measure(url, BASELINE[1], args.duration, args.connections)
            rows = [(BASELINE[0], BASELINE[1], base)]
            for route in routes:
                name, path = route[0], route[1]
                request = route[2](url) if len(route) > 2 else None
                # Warm up (per-process caches) and let the previous route's queue drain.
                measure(url, path, 1, args.connections, request)
                rows.append((name, path, measure(url, path, args.duration, args.connections,
                                                 request)))
        finally:
            process.terminate()
            process.wait(timeout=10)
    print_table(args, rows, base)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
