"""Run the portal the way ``make run`` does: gunicorn plus the background workers.

    python -m portal.serve --host 127.0.0.1 --port 5000 [--workers 2]

Background workers (for example the mail sender) are listed in ``portal.background``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import subprocess
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)

    from portal.background import BACKGROUND

    workers = [multiprocessing.Process(target=target, daemon=True) for target in BACKGROUND]
    for worker in workers:
        worker.start()
    command = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"{args.host}:{args.port}",
        "--workers", str(args.workers),
        "--threads", str(args.threads),
        "--access-logfile", "-",
        "portal.wsgi:app",
    ]
    print(f"portal: serving on http://{args.host}:{args.port}", flush=True)
    server = subprocess.Popen(command)

    def _stop(signum, _frame):
        # Pass SIGTERM/SIGINT on to gunicorn so that stopping us never orphans it.
        server.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        return server.wait()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.join(timeout=5)


if __name__ == "__main__":
    raise SystemExit(main())
