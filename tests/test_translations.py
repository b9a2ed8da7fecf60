from portal import i18n_tools


def test_catalogs_are_current_and_complete():
    assert i18n_tools.check() == 0


def test_placeholders_are_compared_by_name():
    assert i18n_tools.placeholders("%(count)d items for %(name)s") == {"%(count)", "%(name)"}
    assert i18n_tools.placeholders("%(name)s の %(count)d 件") == {"%(count)", "%(name)"}
    assert i18n_tools.placeholders("100%") == set()
