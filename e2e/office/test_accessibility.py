"""axe-core finds no accessibility problem of any impact on the tracking and back-office pages."""

from __future__ import annotations

import pytest

from e2e.a11y import violations
from e2e.office.conftest import staff_sign_in
from tests.application_factory import new_reference


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_tracking_and_back_office_pass_axe(browser, office_server, application, lang):
    reference = new_reference("new")
    created = application("new", reference=reference)
    # axe is injected as a script, so this context bypasses our CSP (the other browser tests
    # check the pages against the CSP).
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    url = office_server.url
    page.goto(f"{url}/applications/track?lang={lang}")
    assert violations(page) == []
    page.goto(f"{url}/applications/track?lang={lang}&reference={reference}"
              "&email=yamada.taro@example.test")
    assert violations(page) == []
    staff_sign_in(page, url, lang)
    for path in ("/backoffice/", "/backoffice/applications",
                 f"/backoffice/applications/{created.id}", "/backoffice/users?q=000000000"):
        page.goto(url + path)
        assert violations(page) == [], path
    context.close()
