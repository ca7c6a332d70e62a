"""Moving a sick therapist's day (issue 24): a visit nobody else can take at its time is
offered the next free time the finder gives for its case, type and length, with anyone who
can take the case, on the same day or the next ones, pickable in the same screen."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from scheduling.models import Appointment
from tests.factories import AppointmentFactory, PatientChartCaseFactory, PatientFactory, UserFactory
from tests.fixtures.scheduling import local, open_every_day

NOW = datetime.datetime(2027, 2, 1, 14, tzinfo=datetime.UTC)  # a Monday, 9:00 in New York
DAY = datetime.date(2027, 2, 4)  # the Thursday the therapist is out


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def colleague(clinic, speech, location):
    other = UserFactory(
        clinic=clinic,
        first_name="Ada",
        last_name="Baker",
        roles=["Therapist"],
        service_types=[speech],
    )
    open_every_day(location, other)
    return other


def _visit(speech_case, therapist, location, hour, minutes=45):
    chart_case = PatientChartCaseFactory(
        case=speech_case, patient=PatientFactory(clinic=location.clinic)
    )
    return AppointmentFactory(
        chart_case=chart_case,
        therapist=therapist,
        location=location,
        start=local(location, DAY, hour),
        duration_minutes=minutes,
    )


def _page(client, therapist):
    url = reverse("scheduling:therapist_day", args=[therapist.pk])
    return url, client.get(url, {"date": DAY.isoformat()})


def _choices(response, visit):
    return dict(response.context["form"].fields[f"visit_{visit.pk}"].choices)


def test_a_visit_nobody_can_take_then_is_offered_the_next_free_time(
    client, scheduler, speech_case, location, therapist, colleague
):
    early = _visit(speech_case, therapist, location, 9)
    later = _visit(speech_case, therapist, location, 10)
    afternoon = _visit(speech_case, therapist, location, 14)
    # The colleague is busy from 8:00 to noon: nobody can take the two morning visits then.
    _visit(speech_case, colleague, location, 8, minutes=240)
    client.force_login(scheduler)
    url, page = _page(client, therapist)
    assert page.status_code == 200
    rows = {row.visit.pk: row for row in page.context["rows"]}
    # The first free time is noon with the colleague; the second visit is offered the next
    # one after it (12:45), so both can be picked together.
    assert rows[early.pk].suggestion.start == local(location, DAY, 12)
    assert rows[later.pk].suggestion.start == local(location, DAY, 12, 45)
    assert rows[early.pk].suggestion.therapist == colleague
    assert rows[afternoon.pk].free == [colleague] and rows[afternoon.pk].suggestion is None
    assert (
        _choices(page, early)["next"]
        == "Move to Thu Feb 4, 12:00 PM with Ada Baker (next free time)"
    )
    assert "next" not in _choices(page, afternoon)
    html = page.content.decode()
    assert "12:45 PM with Ada Baker (next free time)" in html

    data = {f"version_{v.pk}": v.version for v in (early, later, afternoon)}
    response = client.post(
        url,
        {
            "date": DAY.isoformat(),
            "reason": "Therapist out sick",
            f"visit_{early.pk}": "next",
            f"visit_{later.pk}": "next",
            f"visit_{afternoon.pk}": colleague.pk,
            **data,
        },
    )
    assert response.status_code == 302
    for visit in (early, later, afternoon):
        visit.refresh_from_db()
        assert visit.therapist == colleague
        assert visit.status == Appointment.Status.SCHEDULED
    assert (early.start, later.start) == (local(location, DAY, 12), local(location, DAY, 12, 45))
    assert afternoon.start == local(location, DAY, 14)


def test_the_therapist_out_is_suggested_only_from_the_next_day(
    client, scheduler, speech_case, location, therapist
):
    """Nobody else can take the case: the next free time is the therapist's own, on Friday
    (the day being moved is theirs to be out), from the opening hour."""
    visit = _visit(speech_case, therapist, location, 11)
    client.force_login(scheduler)
    url, page = _page(client, therapist)
    (row,) = page.context["rows"]
    assert row.free == []
    assert row.suggestion.therapist == therapist
    assert row.suggestion.start == local(location, DAY + datetime.timedelta(days=1), 8)
    response = client.post(
        url,
        {
            "date": DAY.isoformat(),
            "reason": "Out",
            f"visit_{visit.pk}": "next",
            f"version_{visit.pk}": visit.version,
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.start == row.suggestion.start


def test_a_visit_changed_after_the_page_was_opened_is_a_409_that_changes_nothing(
    client, scheduler, speech_case, location, therapist, colleague
):
    from scheduling import services

    first = _visit(speech_case, therapist, location, 9)
    second = _visit(speech_case, therapist, location, 14)
    client.force_login(scheduler)
    url, page = _page(client, therapist)
    shown = {v.pk: v.version for v in (first, second)}
    # Someone else moves the afternoon visit an hour later on the same day meanwhile.
    services.appointment_reschedule(
        appointment=second,
        start=local(location, DAY, 15),
        duration_minutes=45,
        reason="Asked by the family",
        by=scheduler,
    )
    response = client.post(
        url,
        {
            "date": DAY.isoformat(),
            "reason": "Out",
            f"visit_{first.pk}": colleague.pk,
            f"visit_{second.pk}": "cancel",
            **{f"version_{pk}": version for pk, version in shown.items()},
        },
    )
    assert response.status_code == 409
    assert "Someone else changed a visit of this day" in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.therapist == therapist
    assert second.status == Appointment.Status.SCHEDULED


def test_a_next_free_time_taken_meanwhile_is_refused_with_the_new_one(
    client, scheduler, speech_case, location, therapist, colleague
):
    visit = _visit(speech_case, therapist, location, 9)
    _visit(speech_case, colleague, location, 8, minutes=240)
    client.force_login(scheduler)
    url, page = _page(client, therapist)
    shown = page.context["form"][f"next_{visit.pk}"].value()
    # Someone books the colleague at noon, the time the page offers, before it is saved.
    _visit(speech_case, colleague, location, 12)
    data = {
        "date": DAY.isoformat(),
        "reason": "Out",
        f"visit_{visit.pk}": "next",
        f"version_{visit.pk}": visit.version,
        f"next_{visit.pk}": shown,
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "The next one now is Thu Feb 4, 12:45 PM with Ada Baker" in refused.content.decode()
    visit.refresh_from_db()
    assert visit.therapist == therapist
    # Saved again from the page as it now is: moved to the time it showed.
    data[f"next_{visit.pk}"] = refused.context["form"].data[f"next_{visit.pk}"]
    assert client.post(url, data).status_code == 302
    visit.refresh_from_db()
    assert (visit.therapist, visit.start) == (colleague, local(location, DAY, 12, 45))
