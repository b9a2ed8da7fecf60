"""axe-core finds no accessibility problem of any impact on the shell pages."""

import pytest

from e2e.a11y import violations


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("path", ["/", "/privacy", "/functions", "/contact"])
def test_shell_pages_pass_axe(browser, base_url, path, lang):
    # axe is injected as a script, so this context bypasses our CSP (the page's own
    # scripts are checked against the CSP by every other browser test).
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base_url}{path}?lang={lang}")
    assert violations(page) == []
    context.close()
