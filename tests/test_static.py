"""Static files: the stylesheet is well formed (a lost brace silently disables the rest)."""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "portal" / "static"


def test_every_css_block_is_closed():
    for path in STATIC.glob("css/*.css"):
        text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
        text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
        depth = 0
        for number, line in enumerate(text.splitlines(), 1):
            for char in line:
                depth += {"{": 1, "}": -1}.get(char, 0)
                assert depth >= 0, f"{path.name}:{number}: '}}' without '{{'"
            # Only @media/@supports blocks may stay open across lines; rules inside them may not.
            assert depth <= 2, f"{path.name}:{number}: a block is not closed"
        assert depth == 0, f"{path.name}: {depth} block(s) not closed"


def test_media_blocks_hold_only_rules():
    text = (STATIC / "css" / "portal.css").read_text(encoding="utf-8")
    for block in re.finditer(r"@media[^{]*\{(.*?)\n\}", text, flags=re.S):
        assert "/* ---" not in block.group(1), "a feature section starts inside an @media block"
