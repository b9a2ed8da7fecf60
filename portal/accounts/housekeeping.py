"""A background loop (see ``portal.background``) that removes stale rate-limit counters and
old ended session records once an hour."""

from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)


def loop(interval: float = 3600.0) -> None:  # pragma: no cover - runs beside gunicorn
    from portal import create_app
    from portal.accounts import services
    from portal.extensions import db

    app = create_app()
    while True:
        try:
            with app.app_context():
                removed = services.purge_expired(db.session)
                if removed:
                    log.info("accounts housekeeping: %d stale rows removed", removed)
        except Exception:
            log.exception("accounts housekeeping failed")
        time.sleep(interval)
