"""Japanese business days (ENR-6: the expected completion date of an application).

A business day in Japan is a weekday that is neither a national holiday nor part of the
year-end closure:

- National holidays, substitute holidays and the "sandwiched" citizens' holidays come from
  the maintained ``holidays`` package (``holidays.Japan``), which follows the Cabinet
  Office's list and its changes (for example a moved Sports Day); no list is kept here.
- The year-end closure, 29 December to 3 January, is not a national holiday (only 1 January
  is), but public offices, banks and most companies close then, and so does our help desk
  (the contact page says so). Applications are not processed in those days, so they do not
  count. Pass ``closure=False`` for the bare legal calendar.

Dates are Japanese calendar dates: a submission time is converted to Asia/Tokyo first.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

JAPAN = ZoneInfo("Asia/Tokyo")
# (month, day) of the year-end closure, both ends included.
YEAR_END_CLOSURE = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))


@lru_cache(maxsize=32)
def _national_holidays(year: int) -> holidays.HolidayBase:
    return holidays.Japan(years=year)


def is_holiday(day: date) -> bool:
    """A national holiday of Japan (substitute and citizens' holidays included)."""
    return day in _national_holidays(day.year)


def holiday_name(day: date) -> str | None:
    return _national_holidays(day.year).get(day)


def in_year_end_closure(day: date) -> bool:
    return (day.month, day.day) in YEAR_END_CLOSURE


def is_business_day(day: date, *, closure: bool = True) -> bool:
    if day.weekday() >= 5 or is_holiday(day):
        return False
    return not (closure and in_year_end_closure(day))


def add_business_days(start: date, n: int, *, closure: bool = True) -> date:
    """The date ``n`` Japanese business days after ``start`` (``start`` itself not counted;
    ``n == 0`` gives ``start``)."""
    if isinstance(start, datetime):
        raise TypeError("add_business_days takes a date; use expected_completion for a time")
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_business_day(day, closure=closure):
            remaining -= 1
    return day


def japan_date(moment: datetime | date) -> date:
    """The calendar date in Japan of ``moment`` (an aware datetime, or a date as it is)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("a naive datetime has no place in time; give an aware one")
        return moment.astimezone(JAPAN).date()
    return moment


def expected_completion(submitted_at: datetime | date, days: int = 5, *,
                        closure: bool = True) -> date:
    """When an application submitted at ``submitted_at`` should be done: ``days`` Japanese
    business days after the day (in Japan) it arrived. An application that arrives on a
    weekend or holiday starts counting from the next business day, like one that arrived
    the business day before."""
    return add_business_days(japan_date(submitted_at), days, closure=closure)
