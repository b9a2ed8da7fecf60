"""Never overdrawn (CMR-6, issue 11): 50 redemptions at once against one balance, through
several gunicorn workers, on the suite's database (SQLite, or PostgreSQL in CI's second leg).
The balance never goes below zero and always equals the ledger's sum; a form submitted
twice at once gives one redemption."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db import make_engine
from portal.rewards.program import Company, PointsEntry, Redemption
from portal.rewards.sample import COMPANY


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def signed_in(url: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(f"{url}/login?lang=en").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    try:
        opener.open(f"{url}/login", data=urllib.parse.urlencode(
            {"csrf_token": token, "user_id": "samplepa", "password": "Sample#pa1"}).encode())
    except urllib.error.HTTPError as answer:  # the 303 after signing in
        assert answer.code == 303
    page = opener.open(f"{url}/rewards/redeem/savings?lang=en").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    card = re.search(r'<option value="(\d+)"', page).group(1)
    return opener, token, card


def post(opener, url: str, fields: dict) -> int:
    try:
        with opener.open(f"{url}/rewards/redeem/savings",
                         data=urllib.parse.urlencode(fields).encode(), timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as answer:
        return answer.code


def balance_and_ledger(engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        account = session.scalar(select(Company).where(Company.name == COMPANY)).account
        total = session.scalar(select(func.coalesce(func.sum(PointsEntry.points), 0))
                               .where(PointsEntry.account_id == account.id))
        spent = session.scalar(select(func.count()).select_from(Redemption)
                               .where(Redemption.account_id == account.id))
        return account.balance, total, spent


def test_fifty_redemptions_at_once_never_overdraw(start_server):
    server = start_server("race", workers=3)
    engine = make_engine(server.env["PORTAL_DATABASE_URL"])
    try:
        opener, token, card = signed_in(server.url)
        balance, total, _spent = balance_and_ledger(engine)
        assert balance == total == 110_000
        # One form sent twice at the same moment: one redemption.
        twice = {"csrf_token": token, "step": "confirm", "card": card, "points": "1",
                 "key": "twice"}
        with ThreadPoolExecutor(2) as pool:
            assert list(pool.map(lambda fields: post(opener, server.url, fields),
                                 [twice, twice])) == [303, 303]
        assert balance_and_ledger(engine) == (109_999, 109_999, 1)
        # 50 at once, of which the balance pays 21.
        each = 5_000
        requests = [{"csrf_token": token, "step": "confirm", "card": card,
                     "points": str(each), "key": f"race-{n}"} for n in range(50)]
        with ThreadPoolExecutor(25) as pool:
            codes = list(pool.map(lambda fields: post(opener, server.url, fields), requests))
        assert set(codes) <= {303, 422}, codes
        balance, total, spent = balance_and_ledger(engine)
        assert balance >= 0 and balance == total
        assert codes.count(303) == 109_999 // each == spent - 1
        assert balance == 109_999 - 21 * each
    finally:
        engine.dispose()
