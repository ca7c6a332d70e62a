"""Issue 26, item 10: adding a closure date a location already has was an IntegrityError on
``clinicclosure_once_per_day`` (a 500); the form says so beside the date."""

import datetime

from django.urls import reverse

from scheduling.models import ClinicClosure
from tests.hardening.helpers import logged_in


def test_a_closure_date_given_twice_is_refused_beside_the_date(administrator, location):
    client = logged_in(administrator)
    url = reverse("scheduling:location_hours", args=[location.pk])
    day = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    data = {"form": "closure_form", "closure-date": day, "closure-reason": "Holiday"}

    first = client.post(url, data)
    second = client.post(url, {**data, "closure-reason": "Again"})

    assert first.status_code == 302
    assert second.status_code == 400
    assert second.context["closure_form"].errors["date"] == [
        "This location is already closed on that day."
    ]
    assert list(ClinicClosure.objects.values_list("reason", flat=True)) == ["Holiday"]


def test_the_same_date_at_another_location_is_fine(administrator, location, clinic):
    other = type(location).objects.create(clinic=clinic, name="Annex", time_zone="UTC")
    client = logged_in(administrator)
    day = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    data = {"form": "closure_form", "closure-date": day}

    for place in (location, other):
        response = client.post(reverse("scheduling:location_hours", args=[place.pk]), data)
        assert response.status_code == 302

    assert ClinicClosure.objects.count() == 2
