"""``core.dates.short_date`` writes what Django's ``date`` filter writes."""

import datetime

from django.utils.formats import date_format

from core.dates import short_date


def test_short_date_is_the_date_filters_words_for_every_month():
    for month in range(1, 13):
        for day in (datetime.date(2026, month, 1), datetime.date(987, month, 28)):
            assert short_date(day) == date_format(day, "M j, Y")


def test_no_date_is_no_words():
    assert short_date(None) == ""
