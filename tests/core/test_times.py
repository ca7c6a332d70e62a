"""``machine_time``: the ``<time datetime>`` value every template writes (issue 26, item 4)."""

import datetime

from django.utils import timezone

from core.templatetags.times import machine_time


def test_a_time_element_names_its_moment_to_the_second_in_the_clinics_zone():
    moment = datetime.datetime(2026, 11, 1, 6, 30, 5, 123456, tzinfo=datetime.UTC)

    with timezone.override("America/New_York"):
        assert machine_time(moment) == "2026-11-01T01:30:05-05:00"
    assert machine_time(None) == ""
