"""Rewrite the settings table in README.md from portal/settings.py (run after adding one)."""

from pathlib import Path

from portal.settings import markdown_table

readme = Path(__file__).resolve().parent.parent / "README.md"
lines = readme.read_text(encoding="utf-8").splitlines()
start = lines.index(markdown_table().splitlines()[0])
end = start
while end < len(lines) and lines[end].startswith("|"):
    end += 1
lines[start:end] = markdown_table().splitlines()
readme.write_text("\n".join(lines) + "\n", encoding="utf-8")
