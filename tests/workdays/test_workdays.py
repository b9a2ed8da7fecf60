"""ENR-6: Japanese business days, from the holidays package's calendar of Japan."""

from datetime import UTC, date, datetime

import pytest

from portal.workdays import (
    add_business_days,
    expected_completion,
    holiday_name,
    is_business_day,
    is_holiday,
)


@pytest.mark.parametrize(("day", "name"), [
    (date(2026, 1, 12), "Coming of Age Day"),
    (date(2026, 5, 6), "Substitute Holiday"),          # 3 May 2026 is a Sunday
    (date(2026, 9, 22), "National Holiday"),           # between two holidays
    (date(2026, 10, 12), "Sports Day"),
    (date(2027, 3, 22), "Substitute Holiday"),         # 21 March 2027 is a Sunday
    (date(2027, 7, 19), "Marine Day"),
])
def test_real_holidays_of_2026_and_2027(day, name):
    assert is_holiday(day) and holiday_name(day) == name
    assert not is_business_day(day)


def test_plain_weekdays_and_weekends():
    assert is_business_day(date(2026, 6, 1))        # a Monday in June, no holiday
    assert not is_business_day(date(2026, 6, 6))    # Saturday
    assert not is_business_day(date(2026, 6, 7))    # Sunday


def test_year_end_closure_is_not_a_business_day_but_can_be_switched_off():
    for day in (date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31),
                date(2027, 1, 2), date(2027, 1, 3)):
        assert not is_holiday(day)
        assert not is_business_day(day)
    assert is_business_day(date(2026, 12, 29), closure=False)   # a Tuesday
    assert is_business_day(date(2026, 12, 28))                  # the last day before
    assert is_business_day(date(2027, 1, 4))                    # the first day after


@pytest.mark.parametrize(("start", "n", "expected"), [
    (date(2026, 6, 1), 5, date(2026, 6, 8)),        # Mon + 5 = next Mon
    (date(2026, 6, 5), 1, date(2026, 6, 8)),        # Fri + 1 = Mon
    (date(2026, 6, 6), 1, date(2026, 6, 8)),        # Sat + 1 = Mon
    (date(2026, 6, 1), 0, date(2026, 6, 1)),
    # Golden Week 2026: 3-6 May are holidays (6 May a substitute holiday).
    (date(2026, 4, 30), 5, date(2026, 5, 12)),
    # Silver Week 2026: 21, 22 and 23 September.
    (date(2026, 9, 18), 5, date(2026, 9, 30)),
    # Year end: 29 Dec - 3 Jan closed, then 11 Jan 2027 is Coming of Age Day.
    (date(2026, 12, 25), 5, date(2027, 1, 7)),
    (date(2026, 12, 28), 5, date(2027, 1, 8)),
    (date(2027, 1, 6), 5, date(2027, 1, 14)),
    # Spring 2027: the substitute holiday on Monday 22 March.
    (date(2027, 3, 19), 1, date(2027, 3, 23)),
])
def test_add_business_days(start, n, expected):
    assert add_business_days(start, n) == expected


def test_without_the_closure_only_national_holidays_count():
    # 28, 29, 30, 31 December, then 1 January is New Year's Day: Monday 4 January.
    assert add_business_days(date(2026, 12, 25), 5, closure=False) == date(2027, 1, 4)
    assert add_business_days(date(2026, 12, 25), 4, closure=False) == date(2026, 12, 31)


def test_bad_arguments():
    with pytest.raises(ValueError):
        add_business_days(date(2026, 6, 1), -1)
    with pytest.raises(TypeError):
        add_business_days(datetime(2026, 6, 1, tzinfo=UTC), 1)
    with pytest.raises(ValueError):
        expected_completion(datetime(2026, 6, 1, 9, 0))   # naive


def test_expected_completion_counts_from_the_day_in_japan():
    # 30 April 2026, 14:00 UTC is 23:00 in Tokyo: still 30 April.
    assert expected_completion(datetime(2026, 4, 30, 14, 0, tzinfo=UTC)) == date(2026, 5, 12)
    # 30 April 2026, 16:00 UTC is already 1 May, 01:00 in Tokyo.
    assert expected_completion(datetime(2026, 4, 30, 16, 0, tzinfo=UTC)) == date(2026, 5, 13)
    assert expected_completion(date(2026, 9, 18)) == date(2026, 9, 30)
    assert expected_completion(date(2026, 9, 18), days=1) == date(2026, 9, 24)


def test_submitted_on_a_holiday_counts_like_the_business_day_before():
    assert expected_completion(date(2026, 5, 4)) == expected_completion(date(2026, 5, 1))
