"""The house's boundaries (issue 16), read from the code's imports:

- ``portal/search/`` knows no feature: features hand it their documents
  (``portal.search.sources``);
- the applicant's side (``portal/enrollment/``) does not import back-office code;
- ``portal/db.py`` and ``portal/mail/`` import no feature.

Every import counts, those inside functions too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from portal.settings import PROJECT_ROOT

PORTAL = PROJECT_ROOT / "portal"
FEATURES = sorted(p.name for p in PORTAL.iterdir()
                  if p.is_dir() and (p / "__init__.py").exists())


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "portal":  # from portal import accounts
                found.update(f"portal.{alias.name}" for alias in node.names)
    return found


def features_imported(paths: list[Path]) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for path in paths:
        for module in imported_modules(path):
            parts = module.split(".")
            if len(parts) >= 2 and parts[0] == "portal" and parts[1] in FEATURES:
                result.setdefault(parts[1], set()).add(str(path.relative_to(PROJECT_ROOT)))
    return result


def python_files(where: Path) -> list[Path]:
    return sorted(where.rglob("*.py")) if where.is_dir() else [where]


def test_the_feature_list_is_what_the_tree_holds():
    assert {"search", "enrollment", "backoffice", "mail", "rewards", "resources"} <= set(FEATURES)


@pytest.mark.parametrize(("where", "allowed", "forbidden"), [
    ("search", {"search"}, None),
    ("db.py", set(), None),
    ("mail", {"mail"}, None),
    ("enrollment", None, {"backoffice"}),
])
def test_boundaries_hold(where, allowed, forbidden):
    imported = features_imported(python_files(PORTAL / where))
    if allowed is not None:
        wrong = {feature: files for feature, files in imported.items() if feature not in allowed}
    else:
        wrong = {feature: files for feature, files in imported.items() if feature in forbidden}
    assert wrong == {}, f"portal/{where} imports {wrong}"


def test_the_check_sees_a_forbidden_import(tmp_path):
    """The test above can fail: a file importing a feature is found, in a function too."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from portal.rewards.models import CatalogItem\n"
                      "from portal import accounts\nimport portal.search.index\n")
    assert imported_modules(sample) >= {"portal.rewards.models", "portal.accounts",
                                        "portal.search.index"}
