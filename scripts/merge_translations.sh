#!/usr/bin/env bash
# After merging branches: re-extract, merge into the catalogs, and fill the Japanese
# entries from every translations/pending/*.json; English entries copy their msgid.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
$py -m portal.i18n_tools update >/dev/null
for f in translations/pending/*.json; do
  $py -m portal.i18n_tools fill ja "$f"
done
$py -m portal.i18n_tools copy-source en
$py -m portal.i18n_tools report
