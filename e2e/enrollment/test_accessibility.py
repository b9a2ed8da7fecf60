"""axe-core finds no accessibility problem of any impact on the wizard's pages, errors shown too."""

import pytest
from playwright.sync_api import expect

from e2e.a11y import violations


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_wizard_pages_pass_axe(browser, base_url, lang):
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script
    page = context.new_page()
    page.goto(f"{base_url}/enroll/?lang={lang}")
    assert violations(page) == []
    page.goto(f"{base_url}/enroll/new/")
    assert violations(page) == []
    page.get_by_test_id("wizard-start-button").click()
    page.get_by_test_id("wizard-next").click()  # every field in error
    page.get_by_test_id("error-summary").wait_for()
    assert violations(page) == []
    page.get_by_test_id("applicant-family_name").fill("山田")
    for step in ("access", "approvers", "review"):
        page.goto(f"{base_url}/enroll/new/step/{step}")
        assert violations(page) == [], step
    page.get_by_test_id("wizard-discard").click()
    expect(page.get_by_test_id("discard-dialog")).to_be_visible()
    page.get_by_test_id("discard-cancel").click()
    expect(page.get_by_test_id("discard-dialog")).to_be_hidden()
    page.get_by_test_id("wizard-discard").click()
    page.get_by_test_id("discard-confirm").click()
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("enroll-landing")).to_be_visible()
    context.close()
