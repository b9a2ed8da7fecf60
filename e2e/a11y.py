"""Accessibility checks with axe-core (from node_modules, installed at setup)."""

from pathlib import Path

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def violations(page) -> list[str]:
    """Run axe on the page (its context needs ``bypass_csp=True``) and list every violation,
    whatever its impact (minor, moderate, serious or critical)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
