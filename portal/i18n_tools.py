"""Translator tools: extract, update, check and report the gettext catalogs.

Two domains: ``messages`` (the UI copy, extracted from the code and templates) and
``content`` (catalog item names and descriptions, resource articles: extracted from
``catalog_data/rewards_items.yaml`` and ``catalog_data/resources.yaml``). Every command
covers both.

    python -m portal.i18n_tools extract   # refresh translations/messages.pot
    python -m portal.i18n_tools update    # extract, then merge into every catalog
    python -m portal.i18n_tools check     # what CI runs (see translations/README.md)
    python -m portal.i18n_tools report    # list entries still to translate
    python -m portal.i18n_tools fill ja FILE.json   # fill empty entries from {msgid: text}
    python -m portal.i18n_tools copy-source en      # empty en entries = the English msgid

``check`` fails when messages.pot is stale, when a catalog would change on update, when
an entry is empty or fuzzy, when the placeholders of a translation differ from its msgid, or
when GNU ``msgfmt --check`` refuses a catalog. ``update`` drops obsolete entries.
Catalogs are read with ``babel.messages.pofile.read_po`` (``pybabel compile --statistics``
counts an untranslated plural as translated).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

from portal.settings import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
CONTENT_POT = TRANSLATIONS / "content.pot"
DOMAINS = ("messages", "content")
LOCALES = ("ja", "en")
PYBABEL = str(Path(sys.executable).with_name("pybabel"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|%[sdif]|\{(\w*)\}")


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYBABEL, *args], cwd=PROJECT_ROOT, capture_output=True, text=True)


def _pot(domain: str) -> Path:
    return POT if domain == "messages" else CONTENT_POT


def extract(output: Path = POT) -> None:
    """Extract the UI copy (domain ``messages``)."""
    result = _run(
        "extract", "-F", str(TRANSLATIONS / "babel.cfg"),
        "-k", "_l", "-k", "lazy_gettext", "--add-comments=i18n:", "--sort-by-file",
        "--add-location=file", "--no-wrap", "--project=portal", "--copyright-holder=portal",
        "-o", str(output), ".",
    )
    if result.returncode:
        raise SystemExit(result.stderr)


def extract_content(output: Path = CONTENT_POT) -> None:
    """Write the template of the ``content`` domain from the catalog data files."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    from portal.content import source_messages

    catalog = Catalog(project="portal", copyright_holder="portal", fuzzy=False)
    for msgid, filename, comment in source_messages():
        existing = catalog.get(msgid)
        if existing is None:
            catalog.add(msgid, locations=[(filename, None)], auto_comments=[comment])
        else:
            if (filename, None) not in existing.locations:
                existing.locations.append((filename, None))
            if comment not in existing.auto_comments:
                existing.auto_comments.append(comment)
    with output.open("wb") as handle:
        write_po(handle, catalog, width=0, include_lineno=False, sort_output=True)


def _extract(domain: str, output: Path) -> None:
    (extract if domain == "messages" else extract_content)(output)


def update() -> None:
    for domain in DOMAINS:
        pot = _pot(domain)
        _extract(domain, pot)
        for locale in LOCALES:
            po = TRANSLATIONS / locale / "LC_MESSAGES" / f"{domain}.po"
            command = "update" if po.exists() else "init"
            args = [command, "-i", str(pot), "-d", str(TRANSLATIONS), "-D", domain, "-l", locale]
            if command == "update":
                # No obsolete (#~) entries: one that repeats a live msgid makes GNU msgfmt,
                # Poedit and other gettext tools refuse the file.
                args += ["--no-wrap", "--ignore-pot-creation-date", "--ignore-obsolete"]
            else:
                args += ["--no-wrap"]
            result = _run(*args)
            if result.returncode:
                raise SystemExit(result.stderr)


def _messages(path: Path) -> list[tuple]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return sorted(
        (str(m.id), m.context or "", tuple(sorted({loc[0] for loc in m.locations})),
         tuple(m.auto_comments), tuple(sorted(m.flags - {"fuzzy"})))
        for m in catalog if m.id
    )


def placeholders(text: str) -> set[str]:
    return {match.group(0) if not match.group(1) else f"%({match.group(1)})"
            for match in PLACEHOLDER.finditer(text)}


def problems(locale: str, domain: str = "messages") -> list[str]:
    path = TRANSLATIONS / locale / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return [f"{path.relative_to(PROJECT_ROOT)} is missing"]
    with path.open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        where = locale if domain == "messages" else f"{locale} ({domain})"
        label = f"{where}: {ids[0]!r}"
        if message.fuzzy:
            found.append(f"{label} is fuzzy")
        if any(not s for s in strings):
            found.append(f"{label} is not translated")
            continue
        expected = set().union(*(placeholders(i) for i in ids))
        for string in strings:
            got = placeholders(string)
            if got != expected:
                found.append(f"{label} has placeholders {sorted(got)}, expected {sorted(expected)}")
    return found


def msgfmt_problems(path: Path) -> list[str]:
    """What GNU ``msgfmt --check`` (the tool translators' editors rely on) refuses in a
    catalog; nothing when msgfmt is not installed (``make setup`` installs gettext)."""
    import shutil

    if not path.exists() or shutil.which("msgfmt") is None:
        return []
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)],
                            capture_output=True, text=True)
    if result.returncode == 0:
        return []
    errors = [line for line in result.stderr.splitlines() if "warning:" not in line]
    return [f"{path.relative_to(PROJECT_ROOT)} fails msgfmt --check: {line}"
            for line in errors[:5]]


def check() -> int:
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for domain in DOMAINS:
            pot = _pot(domain)
            fresh = Path(tmp) / f"{domain}.pot"
            _extract(domain, fresh)
            if not pot.exists() or _messages(fresh) != _messages(pot):
                failures.append(f"translations/{pot.name} is stale: run `make translations`")
            for locale in LOCALES:
                if not (TRANSLATIONS / locale / "LC_MESSAGES" / f"{domain}.po").exists():
                    continue  # reported by problems()
                result = _run("update", "--check", "--no-wrap", "--ignore-pot-creation-date",
                              "--ignore-obsolete", "-i", str(fresh),
                              "-d", str(TRANSLATIONS), "-D", domain, "-l", locale)
                if result.returncode:
                    failures.append(f"the {locale} {domain} catalog is out of date: "
                                    "run `make translations`")
    for locale in LOCALES:
        for domain in DOMAINS:
            failures.extend(problems(locale, domain))
            failures.extend(msgfmt_problems(TRANSLATIONS / locale / "LC_MESSAGES"
                                            / f"{domain}.po"))
    for line in failures:
        print(f"translations: {line}", file=sys.stderr)
    if not failures:
        print("translations: messages.pot and content.pot are current; ja and en are complete")
    return 1 if failures else 0


def report() -> int:
    for locale in LOCALES:
        for domain in DOMAINS:
            for line in problems(locale, domain):
                print(line)
    return 0


def fill(locale: str, mapping: dict[str, str] | None) -> int:
    """Fill empty (or fuzzy) entries of ``locale`` in every domain from ``mapping``, or with
    the msgid itself when ``mapping`` is None (the msgids are English, so the en catalogs
    start as a copy)."""
    for domain in DOMAINS:
        _fill(locale, mapping, domain)
    return 0


def _fill(locale: str, mapping: dict[str, str] | None, domain: str) -> int:
    from babel.messages.pofile import write_po

    path = TRANSLATIONS / locale / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return 0
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings) and not message.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if mapping is None:
            new = message.id
        elif key in mapping:
            value = mapping[key]
            if isinstance(message.id, tuple):
                # A plural: a list gives each form; one text serves every form.
                forms = value if isinstance(value, list) else [value] * catalog.num_plurals
                new = tuple(forms)
            else:
                new = value
        else:
            continue
        message.string = new
        message.flags.discard("fuzzy")
        filled += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, sort_by_file=True)
    # Rewrite the file the way `update` does, so that `check` sees no difference.
    _run("update", "-i", str(_pot(domain)), "-d", str(TRANSLATIONS), "-D", domain, "-l", locale,
         "--no-wrap", "--ignore-pot-creation-date", "--ignore-obsolete")
    print(f"{locale} ({domain}): {filled} entries filled")
    return 0


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "extract":
        extract()
        extract_content()
        return 0
    if command == "update":
        update()
        return report()
    if command == "report":
        return report()
    if command == "check":
        return check()
    if command == "fill":
        import json

        return fill(argv[2], json.loads(Path(argv[3]).read_text(encoding="utf-8")))
    if command == "copy-source":
        return fill(argv[2], None)
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
