from portal import i18n_tools


def test_catalogs_are_current_and_complete():
    assert i18n_tools.check() == 0


def test_placeholders_are_compared_by_name():
    assert i18n_tools.placeholders("%(count)d items for %(name)s") == {"%(count)", "%(name)"}
    assert i18n_tools.placeholders("%(name)s の %(count)d 件") == {"%(count)", "%(name)"}
    assert i18n_tools.placeholders("100%") == set()


def test_every_catalog_passes_gnu_msgfmt_check():
    """Translators' tools (Poedit, msgfmt) refuse a catalog with a duplicate entry; the check
    runs msgfmt --check on every catalog, and `make translations` leaves no obsolete ones."""
    import shutil

    from portal import i18n_tools

    assert shutil.which("msgfmt"), "gettext is installed by make setup (scripts/system-deps.sh)"
    for locale in i18n_tools.LOCALES:
        for domain in i18n_tools.DOMAINS:
            path = i18n_tools.TRANSLATIONS / locale / "LC_MESSAGES" / f"{domain}.po"
            assert i18n_tools.msgfmt_problems(path) == []
            assert "\n#~ " not in path.read_text(encoding="utf-8")


def test_msgfmt_problems_finds_a_duplicate(tmp_path):
    from portal import i18n_tools
    from portal.settings import PROJECT_ROOT

    bad = PROJECT_ROOT / "translations" / "ja" / "LC_MESSAGES" / "messages.po"
    copy = tmp_path / "messages.po"
    copy.write_text(bad.read_text(encoding="utf-8")
                    + '\nmsgid "Balance"\nmsgstr "残高"\n', encoding="utf-8")
    original = i18n_tools.PROJECT_ROOT
    try:
        i18n_tools.PROJECT_ROOT = tmp_path
        found = i18n_tools.msgfmt_problems(copy)
    finally:
        i18n_tools.PROJECT_ROOT = original
    assert found and "duplicate" in " ".join(found)


def test_templates_translate_in_the_forced_language_and_back(app):
    """The templates' catalog is looked up once per request and language
    (portal.i18n.page_translations): a force_locale block still gets its own language, the
    page's comes back after it, and ngettext follows too."""
    from flask import render_template_string
    from flask_babel import force_locale

    template = ('{{ _("Sign in") }}|{{ ngettext("%(num)d attempt is left before this link locks '
                'for a while.", "%(num)d attempts are left before this link locks for a while.", '
                '2) }}')
    with app.test_request_context("/?lang=ja"):
        before = render_template_string(template)
        with force_locale("en"):
            forced = render_template_string(template)
        after = render_template_string(template)
    assert before == after != forced
    assert before.startswith("ログイン|")
    assert forced == "Sign in|2 attempts are left before this link locks for a while."
    assert "2" in before and "attempts" not in before


def test_python_texts_translate_in_the_forced_language_and_back(app):
    """The same for gettext and lazy texts in Python (form labels, messages):
    portal.i18n.RequestDomain keeps the catalog per request and language."""
    from flask_babel import force_locale, gettext
    from flask_babel import lazy_gettext as _l

    label = _l("Sign in")
    with app.test_request_context("/?lang=en"):
        before = (gettext("Sign in"), str(label))
        with force_locale("ja"):
            forced = (gettext("Sign in"), str(label))
        after = (gettext("Sign in"), str(label))
    with app.test_request_context("/?lang=ja"):
        other_request = str(label)
    assert before == after == ("Sign in", "Sign in")
    assert forced == ("ログイン", "ログイン") and other_request == "ログイン"
