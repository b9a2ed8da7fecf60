# ruff: noqa: E501  (word lists: one pair per entry reads better than wrapped lines)
"""Generate a large catalog and resource center for the search benchmark.

    python bench/search_data.py DATABASE_URL [--items 100000] [--articles 10000]

Writes generated items and articles into the (already migrated) database at DATABASE_URL,
which must be the benchmark's own database — never the real catalog — then builds the
search index and prints how long that took. Texts are made from word lists in Japanese and
English (invented brands), deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BRANDS = [("Aozora", "あおぞら"), ("Kumo", "くも"), ("Hoshi", "ほし"), ("Minato", "みなと"),
          ("Sakura", "さくら"), ("Yamabuki", "山吹"), ("Orbit", "オービット"), ("Lumen", "ルーメン"),
          ("Kaze", "風"), ("Tsubame", "つばめ"), ("Hibari", "ひばり"), ("Midori", "みどり"),
          ("Umi", "うみ"), ("Soramichi", "そらみち"), ("Yunoka", "湯の香"), ("Hayate", "はやて"),
          ("Kirameki", "きらめき"), ("Aiiro", "藍色"), ("Kazaguruma", "かざぐるま"), ("Tomoshibi", "ともしび")]
PRODUCTS = {
    "drinks": [("coffee beans", "コーヒー豆"), ("green tea", "緑茶"), ("black tea", "紅茶"),
               ("kettle", "ケトル"), ("espresso machine", "エスプレッソマシン"),
               ("sparkling water", "炭酸水"), ("barley tea", "麦茶"), ("juice set", "ジュースセット")],
    "gifts": [("cookies", "クッキー"), ("rice crackers", "せんべい"), ("towel set", "タオルセット"),
              ("fruit jelly", "フルーツゼリー"), ("wagyu beef", "和牛"), ("tableware", "食器"),
              ("sake", "日本酒"), ("wine", "ワイン")],
    "digital": [("earphones", "イヤホン"), ("monitor", "モニター"), ("web camera", "ウェブカメラ"),
                ("headphones", "ヘッドホン"), ("laptop", "ノートパソコン"), ("tablet", "タブレット"),
                ("mobile battery", "モバイルバッテリー"), ("keyboard", "キーボード")],
    "certificates": [("gift certificate", "商品券"), ("book voucher", "図書カード"),
                     ("dining voucher", "お食事券"), ("gift card", "ギフトカード")],
    "social": [("tree planting", "植樹"), ("school meals", "給食支援"), ("clean water", "安全な水"),
               ("disaster relief", "災害支援"), ("animal shelter", "動物保護")],
    "travel": [("hot-spring stay", "温泉宿泊"), ("airport lounge", "空港ラウンジ"),
               ("hotel stay", "ホテル宿泊"), ("rental car", "レンタカー"), ("railway tour", "鉄道の旅")],
}
QUALITIES = [("premium", "特選"), ("compact", "コンパクト"), ("family", "ファミリー"),
             ("seasonal", "季節の"), ("classic", "定番"), ("deluxe", "デラックス"),
             ("organic", "オーガニック"), ("handmade", "手作り")]
SENTENCES = [("Popular with teams for meetings and breaks.", "会議や休憩のひとときにチームで楽しめます。"),
             ("Delivered to your office within two weeks.", "2週間以内にオフィスへお届けします。"),
             ("A thank-you the whole team can share.", "チームみんなで分けられるお礼の品です。"),
             ("Chosen by our buyers for quality.", "品質を重視してバイヤーが選びました。"),
             ("Wrapped as a gift on request.", "ご希望によりギフト包装いたします。"),
             ("Supports a good cause in Japan.", "国内の社会貢献活動を支援します。")]
POINTS = [1000, 2500, 3300, 4800, 6800, 9800, 12000, 17000, 24000, 32000, 48000, 64000, 98000,
          120000, 168000, 240000, 281000, 324000, 380000, 420000]
TOPICS = [("password", "パスワード"), ("enrollment", "申請"), ("first login", "初めてのログイン"),
          ("control group", "管理グループ"), ("reference number", "照会番号"),
          ("points", "ポイント"), ("catalog", "カタログ"), ("approver", "承認者"),
          ("role", "役割"), ("statement", "明細"), ("report", "レポート"), ("user ID", "ユーザーID")]
ACTIONS = [("How to change your", "を変更する方法"), ("Questions about the", "についてのよくある質問"),
           ("Getting started with the", "の基本"), ("Troubleshooting the", "のトラブルシューティング"),
           ("Tips for the", "のヒント")]
ARTICLE_CATEGORIES = ["enrollment", "first_login", "access", "account", "rewards"]


def items(count: int, rng: random.Random):
    categories = list(PRODUCTS)
    for i in range(count):
        category = categories[i % len(categories)]
        brand_en, brand_ja = rng.choice(BRANDS)
        product_en, product_ja = rng.choice(PRODUCTS[category])
        quality_en, quality_ja = rng.choice(QUALITIES)
        size = rng.randint(2, 48)
        first, second = rng.sample(SENTENCES, 2)
        letter = "GHJKLMNPQRTUVWXYZ"[i % 17]
        yield {
            "item_no": f"{letter}{i // 10000:03d}-{i % 10000:04d}", "category": category,
            "points": rng.choice(POINTS), "in_stock": rng.random() > 0.1, "sample": True,
            "name_en": f"{brand_en} {quality_en} {product_en}, {size} pieces",
            "name_ja": f"{brand_ja} {quality_ja}{product_ja} {size}個入り",
            "description_en": f"{first[0]} {second[0]}",
            "description_ja": f"{first[1]}{second[1]}",
            "position": 1000 + i, "active": True,
        }


def articles(count: int, rng: random.Random):
    for i in range(count):
        topic_en, topic_ja = rng.choice(TOPICS)
        action_en, action_ja = rng.choice(ACTIONS)
        body = rng.sample(SENTENCES, 3)
        yield {
            "slug": f"bench-article-{i}", "kind": "guide",
            "category": ARTICLE_CATEGORIES[i % len(ARTICLE_CATEGORIES)], "countries": "",
            "title_en": f"{action_en} {topic_en} ({i})", "title_ja": f"{topic_ja}{action_ja}（{i}）",
            "summary_en": f"All about the {topic_en}.", "summary_ja": f"{topic_ja}について。",
            "body_en": "\n\n".join(s[0] for s in body), "body_ja": "\n\n".join(s[1] for s in body),
            "transcript_en": "", "transcript_ja": "", "duration_seconds": None,
            "video_file": "", "position": 1000 + i, "active": True,
        }


def generate(url: str, item_count: int, article_count: int, seed: int = 6) -> float:
    """Fill the database and build the index; returns the seconds the index build took."""
    from sqlalchemy import insert
    from sqlalchemy.orm import Session

    from portal.db import make_engine
    from portal.resources.models import Article
    from portal.resources.search_source import register as register_articles
    from portal.rewards.models import CatalogItem
    from portal.rewards.search_source import register as register_items
    from portal.search import index

    register_items()  # what create_app does: the features hand search their documents
    register_articles()
    rng = random.Random(seed)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        rows = list(items(item_count, rng))
        for start in range(0, len(rows), 10000):
            session.execute(insert(CatalogItem), rows[start:start + 10000])
        session.execute(insert(Article), list(articles(article_count, rng)))
    with Session(engine) as session, session.begin():
        started = time.perf_counter()
        documents = index.build(session)
    seconds = time.perf_counter() - started
    engine.dispose()
    print(f"search index: {documents} documents built in {seconds:.1f} s", file=sys.stderr)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args(argv)
    generate(args.url, args.items, args.articles)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
