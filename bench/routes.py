"""The routes the benchmark loads. Later features append theirs to ``ROUTES``.

Each route is (name, path) or (name, path, prepare): ``prepare(base_url)`` runs before the
route is loaded and returns ``{"method", "body", "headers"}`` for wrk (for example a session
cookie with an application in progress, and a CSRF token). The baseline route, ``/healthz``,
is always measured in the same run, and every other route's figures are printed as a ratio
to it.
"""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request

BASELINE = ("baseline", "/healthz")

ROUTES: list[tuple] = [
    ("home ja", "/?lang=ja"),
    ("home en", "/?lang=en"),
    ("functions", "/functions?lang=ja"),
    ("privacy", "/privacy?lang=en"),
    ("contact", "/contact?lang=ja"),
    ("not found", "/no-such-page"),
    ("login", "/login?lang=ja"),
]


# --- enrollment: an application in progress with two users and an access entry each --------

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_enrollment: dict[str, dict] = {}


def _enrollment_session(base_url: str) -> dict:
    """Start one add-new-user application through the pages, as a browser would."""
    if base_url in _enrollment:
        return _enrollment[base_url]
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def post(path: str, fields: dict) -> str:
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        with opener.open(f"{base_url}{path}", data=body) as response:
            return response.read().decode()

    page = opener.open(f"{base_url}/enroll/new/?lang=ja").read().decode()
    token = _TOKEN.search(page).group(1)
    post("/enroll/new/", {"csrf_token": token})
    user = {"family_name": "佐藤", "given_name": "一郎", "country": "JP", "birth_day": "3",
            "birth_month": "4", "postal_code": "100-0005", "prefecture": "東京都",
            "city": "千代田区", "street": "丸の内1-1"}
    fields = {"csrf_token": token, "nav": "next", "applicant-mode": "employee",
              "applicant-family_name": "山田", "applicant-given_name": "花子",
              "applicant-email": "pa@example.co.jp", "applicant-phone": "03-1234-5678",
              "applicant-company": "Example KK"}
    for i in range(2):
        fields.update({f"u{i}-{k}": v for k, v in user.items()})
        fields[f"u{i}-email"] = f"user{i}@example.co.jp"
        fields.update({f"u{i}-a0-country": "JP", f"u{i}-a0-functions": ["OPM", "REPORTING"],
                       f"u{i}-a0-cg_rest": f"00000000000{i + 1}", f"u{i}-access-present": "1"})
    post("/enroll/new/step/users", fields)
    fields["nav"] = "back"  # save the entries, stay before the approvers
    post("/enroll/new/step/access", fields)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    _enrollment[base_url] = {"cookie": cookie, "token": token, "fields": fields}
    return _enrollment[base_url]


def enrollment_page(base_url: str) -> dict:
    state = _enrollment_session(base_url)
    return {"headers": {"Cookie": state["cookie"]}}


def enrollment_add_access(base_url: str) -> dict:
    """The "Add access" swap as htmx sends it: a GET with the user's entry countries."""
    state = _enrollment_session(base_url)
    return {"headers": {"Cookie": state["cookie"], "HX-Request": "true",
                        "HX-Current-URL": f"{base_url}/enroll/new/step/access"}}


ROUTES += [
    ("enroll landing", "/enroll/?lang=ja"),
    ("enroll start", "/enroll/new/?lang=en"),
    ("enroll step 1 users", "/enroll/new/step/users", enrollment_page),
    ("enroll step 2 access", "/enroll/new/step/access", enrollment_page),
    ("enroll add access (htmx)", "/enroll/new/step/access/do/add-access?user=1&u1-a0-country=JP",
     enrollment_add_access),
    ("enroll step 3 approvers", "/enroll/new/step/approvers", enrollment_page),
    ("enroll step 4 review", "/enroll/new/step/review", enrollment_page),
]


# Search (rewards catalog and resource center) on the generated 100,000-item catalog:
# `python bench/run.py --search`. Each class is a set of page requests that wrk cycles
# through; "mixed" is all of them together. Facet counts are part of every catalog page.
_Q = "/rewards/catalog?lang={lang}&q={q}"
SEARCH_CLASSES: dict[str, list[str]] = {
    "single kanji": [_Q.format(lang="ja", q=q) for q in
                     ("%E8%8C%B6", "%E8%B1%86", "%E9%85%92", "%E7%89%9B", "%E6%A4%8D",
                      "%E6%B8%A9", "%E5%AE%BF", "%E7%B4%85")],  # 茶 豆 酒 牛 植 温 宿 紅
    "kana": [_Q.format(lang="ja", q=q) for q in
             ("%E3%82%B3%E3%83%BC%E3%83%92%E3%83%BC",  # コーヒー
              "%E3%81%93%E3%83%BC%E3%81%B2%E3%83%BC",  # こーひー
              "%EF%BD%BA%EF%BD%B0%EF%BE%8B%EF%BD%B0",  # ｺｰﾋｰ
              "%E3%82%BF%E3%82%AA%E3%83%AB",  # タオル
              "%E3%81%9B%E3%82%93%E3%81%B9%E3%81%84",  # せんべい
              "%E3%83%A2%E3%83%8B%E3%82%BF%E3%83%BC")],  # モニター
    "latin words": [_Q.format(lang="en", q=q) for q in
                    ("coffee", "wine", "laptop", "headphones", "towel", "rental", "premium",
                     "organic")],
    "item numbers": [_Q.format(lang=lang, q=q) for lang, q in
                     (("ja", "G000-0000"), ("en", "h0000001"), ("ja", "J000-0002"),
                      ("en", "G001-00"), ("ja", "k0020"), ("en", "P005-01"))],
    "several words": [_Q.format(lang=lang, q=q) for lang, q in
                      (("en", "premium+coffee"), ("en", "organic+tea+pieces"),
                       ("ja", "%E7%89%B9%E9%81%B8+%E5%92%8C%E7%89%9B"),  # 特選 和牛
                       ("ja", "%E3%81%82%E3%81%8A%E3%81%9E%E3%82%89+%E3%82%B1%E3%83%88%E3%83%AB"),
                       ("en", "kumo+laptop+12"))],
    "resources": [f"/resources/search?lang={lang}&q={q}" for lang, q in
                  (("ja", "%E7%94%B3"), ("ja", "%E3%83%91%E3%82%B9%E3%83%AF%E3%83%BC%E3%83%89"),
                   ("en", "password"), ("en", "control+group"))],
    # Issue 15: words of the other language (a Japanese word on the English page, an
    # English word on the Japanese page), catalog and resource center.
    "other language's words": [
        *(_Q.format(lang="en", q=q) for q in
          ("%E3%82%B3%E3%83%BC%E3%83%92%E3%83%BC",  # コーヒー
           "%E8%8C%B6",  # 茶
           "%E3%82%BF%E3%82%AA%E3%83%AB")),  # タオル
        *(_Q.format(lang="ja", q=q) for q in ("coffee", "wine", "laptop")),
        "/resources/search?lang=ja&q=password",
        "/resources/search?lang=en&q=%E3%83%91%E3%82%B9%E3%83%AF%E3%83%BC%E3%83%89"],
}
SEARCH_CLASSES["mixed"] = [p for paths in SEARCH_CLASSES.values() for p in paths]
