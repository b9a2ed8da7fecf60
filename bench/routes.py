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
}
SEARCH_CLASSES["mixed"] = [p for paths in SEARCH_CLASSES.values() for p in paths]
