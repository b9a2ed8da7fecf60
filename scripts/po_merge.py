"""Git merge driver for gettext catalogs (``.po`` and ``.pot``).

Branches that add copy each add entries to the same catalogs, and git's line merge turns
that into conflicts. This driver merges by entry instead: every entry of either side is
kept; when both sides changed one entry's translation, ours wins unless ours is still the
base's. After a merge, run ``make translations`` so that the catalogs are rewritten from the
code (entries no longer used become obsolete) and ``make check-translations`` passes.

Set it up once per clone:

    git config merge.po.driver ".venv/bin/python scripts/po_merge.py %O %A %B"

(``.gitattributes`` names the driver for ``translations/**``.)
"""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def _read(path: str):
    with open(path, "rb") as handle:
        return read_po(handle)


def _key(message):
    return (message.id, message.context)


def merge(base_path: str, ours_path: str, theirs_path: str) -> int:
    base, ours, theirs = _read(base_path), _read(ours_path), _read(theirs_path)
    base_strings = {_key(m): m.string for m in base if m.id}
    ours_keys = {_key(m) for m in ours if m.id}
    for message in theirs:
        if not message.id:
            continue
        key = _key(message)
        if key not in ours_keys:
            ours[message.id] = message  # keyed by id and the message's context
            continue
        mine = ours.get(message.id, context=message.context)
        if mine.string == base_strings.get(key) and message.string:
            mine.string = message.string
            mine.flags = set(message.flags)
        for location in message.locations:
            if location not in mine.locations:
                mine.locations.append(location)
    with open(ours_path, "wb") as handle:
        write_po(handle, ours, width=0, sort_by_file=True, include_previous=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(merge(*sys.argv[1:4]))
