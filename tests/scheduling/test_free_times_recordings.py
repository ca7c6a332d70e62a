"""The front desk's free-time finder as a scheduler sees it, recorded (tests/snapshot.py) so that
a rewrite of how it reads and renders shows any change: the portal recordings' family
(tests/portal/test_recordings.py: hostile names, two therapists with holes in their weeks, a
closed day, time off and extra hours), the empty form, the default week, a week across a
daylight-saving change, one therapist, a location in another time zone, a location without
hours, and refused searches; the clinic in New York and in London."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from core.roles import SCHEDULER
from scheduling.models import Location
from tests.factories import UserFactory
from tests.portal.test_recordings import NOW, RECORD, ZONES, _family, _slug
from tests.snapshot import assert_page


def days(first: str, last: str) -> dict:
    return {"first": first, "last": f"2026-{last}"}


def _searches(family, zone):
    """(name, query, expected status) of the finder's GETs to record."""
    case = family.liam_speech.pk
    week = {"chart_case": case, "appointment_type": family.treatment.pk}
    main = {**week, "location": family.main.pk}
    dst = ZONES[zone]
    office = Location.objects.get(clinic=family.main.clinic, name__endswith="<Office>")
    return [
        ("empty", {}, 200),
        ("default", {"chart_case": case}, 200),
        ("dst-week", {**main, "first": dst, "last": dst + datetime.timedelta(days=6)}, 200),
        ("therapist", {**main, "therapists": family.baker.pk, **days("2026-10-27", "10-29")}, 200),
        ("evaluation", {**main, "appointment_type": family.evaluation.pk}, 200),
        ("no-hours", {**week, "location": family.annex.pk}, 200),
        ("other-zone", {**week, "location": office.pk, **days("2026-10-22", "10-23")}, 200),
        ("refused-days", {**main, **days("2026-10-28", "10-21")}, 400),
        ("refused-choices", {"chart_case": 999999, "location": "abc"}, 400),
        ("refused-therapist", {**main, "therapists": [family.baker.pk, 999999]}, 400),
        ("refused-type", {**main, "appointment_type": 999999, "first": "x"}, 400),
    ]


@RECORD
@pytest.mark.parametrize("zone", ZONES)
def test_the_free_time_finder_as_recorded(client, zone):
    with time_machine.travel(NOW, tick=False):
        family = _family(zone)
        scheduler = UserFactory(
            clinic=family.main.clinic, email="desk@clinic.test", first_name="Dee <Desk>",
            last_name="Front & Co", roles=[SCHEDULER],
        )  # fmt: skip
        client.force_login(scheduler)
        url = reverse("scheduling:free_times", args=[family.liam_speech.patient_id])
        for name, query, status in _searches(family, zone):
            response = client.get(url, query)
            assert response.status_code == status, name
            assert_page(f"scheduling/finder-{_slug(zone)}-{name}", response.content)
