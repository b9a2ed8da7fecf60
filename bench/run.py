"""Load the portal with wrk and print each route's figures beside the baseline route's.

    python bench/run.py [--duration 5] [--connections 20] [--routes NAME ...]

Starts the portal under gunicorn (2 workers, SQLite, sample data) on a free local port,
measures the baseline route and the routes of ``bench/routes.py`` in one run, and prints a
Markdown table: requests/s, p50 and p95 latency, bytes per response (headers included), and
ratios to the baseline. Requests wrk counts as errors (a status of 400 or more included) are
shown in their own column.
Not part of CI: figures depend on the machine; the ratios are what to compare.
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

from routes import BASELINE, ROUTES  # noqa: E402

LINE = re.compile(r"BENCH rps=([\d.]+) p50=([\d.]+) p95=([\d.]+) p99=([\d.]+) "
                  r"requests=(\d+) errors=(\d+) bytes=(\d+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_portal(workdir: Path, workers: int) -> tuple[subprocess.Popen, str, dict]:
    port = free_port()
    env = dict(os.environ, PORTAL_ENV="test", PORTAL_INSTANCE_DIR=str(workdir),
               PORTAL_SECRET_KEY="bench", PORTAL_DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}")
    flask = [sys.executable, "-m", "flask", "--app", "portal"]
    subprocess.run([*flask, "migrate"], cwd=PROJECT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "seed-sample"], cwd=PROJECT, env=env, check=True,
                   capture_output=True)
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
    match = LINE.search(output)
    if not match:
        raise SystemExit(f"wrk printed no figures for {path}:\n{output}")
    rps, p50, p95, p99, requests, errors, total = match.groups()
    return {"rps": float(rps), "p50": float(p50), "p95": float(p95), "p99": float(p99),
            "errors": int(errors), "bytes": int(total) / max(int(requests), 1)}


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--routes", nargs="*", help="names from bench/routes.py (default: all)")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run `make setup` (it installs the Debian package)")
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
    print(f"\n{args.connections} connections, {args.duration} s per route, gunicorn "
          f"{args.workers} workers, SQLite\n")
    print("| route | path | req/s | p50 ms | p95 ms | bytes | errors | req/s vs baseline "
          "| p95 vs baseline |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, path, r in rows:
        print(f"| {name} | `{path}` | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
              f"{r['bytes']:.0f} | {r['errors']} | {r['rps'] / base['rps']:.2f} | "
              f"{r['p95'] / base['p95']:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
