"""The day and week views recorded as served (tests/snapshot.py), to show that a rewrite of
their reads or their rendering changes nothing a user sees: for the administrator, the
scheduler and a therapist; a booked day with appointments in every status, pending requests
(a preferred therapist's, one over an appointment, one with no therapist chosen), clinic
hours, a closure, availability with time off and extra hours; hostile names everywhere a name
shows; two time zones (New York, Berlin); weeks and days across the autumn and spring
daylight-saving changes; the location and therapist pickers and the previous, today and next
links."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST
from scheduling import slots
from scheduling.models import (
    AppointmentRequest,
    AvailabilityException,
    ClinicClosure,
    ClinicHours,
    TherapistAvailability,
)
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    ClinicFactory,
    LocationFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    ServiceTypeFactory,
    UserFactory,
)
from tests.snapshot import assert_page

NOW = datetime.datetime(2026, 10, 26, 14, 0, tzinfo=datetime.UTC)  # Monday 10:00 in New York
NEW_YORK, BERLIN = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")
BOOKED = datetime.date(2026, 10, 27)  # a Tuesday
CLOSED = datetime.date(2026, 10, 30)
AUTUMN = datetime.date(2026, 11, 1)  # New York's clocks go back at 2:00
SPRING = datetime.date(2027, 3, 14)  # New York's clocks go forward at 2:00
BERLIN_AUTUMN = datetime.date(2026, 10, 25)  # Berlin's clocks go back at 3:00

SCRIPT = '<script>alert("x")</script>'


def _user(clinic, email, first, last, role, **extra):
    return UserFactory(
        clinic=clinic, email=email, first_name=first, last_name=last, roles=[role], **extra
    )


def _weekly(model, clinic, location, weekdays, start, end, **extra):
    for weekday in weekdays:
        model.objects.create(
            clinic=clinic,
            location=location,
            weekday=weekday,
            start=datetime.time(*start),
            end=datetime.time(*end),
            **extra,
        )


def _at(day, hour, minute=0, tz=NEW_YORK, fold=0):
    """A wall-clock time at a location (``fold=1``: the second of a repeated hour)."""
    moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)
    return moment.replace(fold=fold).astimezone(datetime.UTC)


def _clinic():
    clinic = ClinicFactory(name='Riverside & <Co> "Therapy"', time_zone="America/New_York")
    speech = ServiceTypeFactory(clinic=clinic, name="Speech <Therapy>")
    people = {
        "administrator": _user(clinic, "ada@river.test", "Ada", "Admin", ADMINISTRATOR),
        "scheduler": _user(clinic, "sam@river.test", "Sam", "Scheduler", SCHEDULER),
        "therapist": _user(
            clinic, "tia@river.test", SCRIPT, "O'Neil & Co", THERAPIST, service_types=[speech]
        ),
        "beth": _user(clinic, "beth@river.test", "Beth", 'Brown "B"', THERAPIST),
        "carl": _user(clinic, "carl@river.test", "Carl", "Cole", THERAPIST),
        # No name: shown by e-mail address.
        "nameless": _user(clinic, "<nameless>@river.test", "", "", THERAPIST),
    }
    _user(clinic, "gone@river.test", "Gone", "Away", THERAPIST, is_active=False)
    return clinic, speech, people


def _locations(clinic, people):
    main = LocationFactory(
        clinic=clinic, name='Main & <Annex> "East"', time_zone="America/New_York"
    )
    berlin = LocationFactory(clinic=clinic, name="Berlin 'Mitte'", time_zone="Europe/Berlin")
    LocationFactory(clinic=clinic, name="Old Site", time_zone="America/New_York", is_active=False)
    _weekly(ClinicHours, clinic, main, range(5), (8,), (18,))
    _weekly(ClinicHours, clinic, main, [5], (9,), (13,))
    _weekly(ClinicHours, clinic, main, [6], (1,), (4,))  # Sunday's early hours, over the change
    _weekly(ClinicHours, clinic, berlin, range(7), (1,), (18,))
    tia, beth = people["therapist"], people["beth"]
    _weekly(TherapistAvailability, clinic, main, range(7), (8,), (18,), therapist=tia)
    _weekly(TherapistAvailability, clinic, main, [6], (1,), (4,), therapist=tia)
    _weekly(TherapistAvailability, clinic, main, [0, 1, 2, 6], (9,), (17,), therapist=beth)
    _weekly(TherapistAvailability, clinic, main, [3], (8,), (12,), therapist=people["nameless"])
    _weekly(TherapistAvailability, clinic, berlin, range(7), (1,), (18,), therapist=tia)
    exception = AvailabilityException.objects.create
    exception(
        clinic=clinic,
        therapist=tia,
        date=BOOKED,
        kind="time_off",
        start=datetime.time(14),
        end=datetime.time(15, 30),
        reason=SCRIPT,
    )
    exception(clinic=clinic, therapist=beth, date=BOOKED, kind="time_off", reason="Course")
    exception(
        clinic=clinic,
        therapist=people["carl"],
        date=BOOKED,
        kind="extra",
        location=main,
        start=datetime.time(15),
        end=datetime.time(17),
    )
    exception(
        clinic=clinic,
        therapist=beth,
        date=datetime.date(2026, 10, 31),
        kind="extra",
        location=main,
        start=datetime.time(9),
        end=datetime.time(12),
    )
    ClinicClosure.objects.create(clinic=clinic, location=main, date=CLOSED, reason=SCRIPT)
    return main, berlin


def _book(clinic, case, people, main, berlin):
    treatment = AppointmentTypeFactory(clinic=clinic, name="Treatment <i>&</i> 'x'")
    evaluation = AppointmentTypeFactory(clinic=clinic, name='Evaluation "Initial"')
    patients = [
        PatientFactory(clinic=clinic, first_name=SCRIPT, last_name='O\'Brien & "Sons"'),
        PatientFactory(clinic=clinic, first_name="Mia", last_name="Lopez & <Kim>"),
        PatientFactory(clinic=clinic, first_name="Noah", last_name="Kim"),
    ]
    charts = [PatientChartCaseFactory(case=case, patient=patient) for patient in patients]
    tia, beth, carl = people["therapist"], people["beth"], people["carl"]

    def book(chart, therapist, start, minutes=45, kind=treatment, where=main, **extra):
        AppointmentFactory(
            chart_case=chart,
            therapist=therapist,
            location=where,
            appointment_type=kind,
            start=start,
            duration_minutes=minutes,
            created_by=people["scheduler"],
            **extra,
        )

    book(charts[0], tia, _at(BOOKED, 9), kind=evaluation)
    book(charts[1], tia, _at(BOOKED, 10), status="checked_in")
    book(charts[2], tia, _at(BOOKED, 11), minutes=60, status="completed")
    book(charts[2], beth, _at(BOOKED, 9, 30), status="no_show")
    reason = '<b>sick</b> & "tired"'
    book(charts[1], beth, _at(BOOKED, 12), status="patient_cancelled", cancel_reason=reason)
    book(charts[2], tia, _at(BOOKED, 13), status="clinic_cancelled")
    book(charts[2], carl, _at(BOOKED, 15, 10), minutes=30)  # off the quarter hour
    book(charts[0], tia, _at(BOOKED, 17, 30), minutes=90)  # past closing
    book(charts[1], tia, _at(datetime.date(2026, 10, 29), 8))
    # The repeated hour of the autumn change: 1:30 EDT, then 1:30 EST.
    book(charts[0], tia, _at(AUTUMN, 1, 30))
    book(charts[1], tia, _at(AUTUMN, 1, 30, fold=1))
    book(charts[2], tia, _at(AUTUMN, 3))
    # The hour the spring change skips: 1:30 EST lasts until 3:15 EDT.
    book(charts[0], tia, _at(SPRING, 1, 30))
    book(charts[1], tia, _at(SPRING, 3, 30))
    book(charts[0], tia, _at(BERLIN_AUTUMN, 2, 30, BERLIN), where=berlin)
    book(charts[1], tia, _at(BERLIN_AUTUMN, 2, 30, BERLIN, fold=1), where=berlin)
    book(charts[2], tia, _at(datetime.date(2026, 10, 21), 9, tz=BERLIN), where=berlin)
    return treatment, charts


def _ask(clinic, people, main, treatment, charts):
    tia, beth = people["therapist"], people["beth"]

    def ask(chart, start, therapist, preferred, **extra):
        AppointmentRequest.objects.create(
            clinic=clinic,
            chart_case=chart,
            patient=chart.patient,
            appointment_type=treatment,
            location=main,
            therapist=therapist,
            preferred_therapist=preferred,
            start=start,
            duration_minutes=45,
            note=SCRIPT,
            created_by=people["scheduler"],
            **extra,
        )

    ask(charts[0], _at(BOOKED, 12), tia, tia)
    ask(charts[1], _at(BOOKED, 11, 15), tia, tia)  # over an appointment: stacked beside it
    ask(charts[2], _at(BOOKED, 10), beth, None)  # no therapist chosen: the lane
    ask(charts[0], _at(BOOKED, 16), beth, beth)
    ask(charts[1], _at(BOOKED, 16), tia, tia, status="declined", decline_reason="No")
    ask(charts[2], _at(datetime.date(2026, 10, 29), 11), tia, None)


@pytest.fixture
def calendar_clinic():
    with time_machine.travel(NOW, tick=False):
        clinic, speech, people = _clinic()
        case = PatientCaseFactory(
            clinic=clinic,
            name='Speech & <Language> "Core"',
            service_types=[speech],
            created_by=people["administrator"],
        )
        main, berlin = _locations(clinic, people)
        treatment, charts = _book(clinic, case, people, main, berlin)
        _ask(clinic, people, main, treatment, charts)
    return people, main, berlin


def _pages(main, berlin, people):
    """(recording name, role, view, query)."""
    tia = people["therapist"].pk
    day, week = "scheduling:calendar_day", "scheduling:calendar_week"
    at_main = {"location": main.pk}
    booked = {**at_main, "date": BOOKED.isoformat()}
    pages = [
        ("day_default", "administrator", day, {}),
        ("week_default", "scheduler", week, {}),
        ("day_bad_input", "scheduler", day, {"location": "x", "date": "2026-13-45"}),
        ("week_other_therapist", "scheduler", week, {**booked, "therapist": people["beth"].pk}),
        ("day_closed", "scheduler", day, {**at_main, "date": CLOSED.isoformat()}),
        ("day_autumn", "scheduler", day, {**at_main, "date": AUTUMN.isoformat()}),
        ("week_autumn", "scheduler", week, {**at_main, "date": AUTUMN.isoformat()}),
        ("day_spring", "scheduler", day, {**at_main, "date": SPRING.isoformat()}),
        ("week_spring", "therapist", week, {**at_main, "date": SPRING.isoformat()}),
        ("day_berlin", "scheduler", day, {"location": berlin.pk, "date": "2026-10-25"}),
        (
            "week_berlin",
            "administrator",
            week,
            {"location": berlin.pk, "date": "2026-10-21", "therapist": tia},
        ),
    ]
    for role in ("administrator", "scheduler", "therapist"):
        pages.append((f"day_booked_{role}", role, day, booked))
        pages.append((f"week_booked_{role}", role, week, {**booked, "therapist": tia}))
    pages.append(("day_autumn_therapist", "therapist", day, {**at_main, "date": "2026-11-01"}))
    return pages


@pytest.mark.django_db(transaction=True, serialized_rollback=True, reset_sequences=True)
def test_the_calendar_pages_are_as_recorded(client, calendar_clinic):
    people, main, berlin = calendar_clinic
    failures = []
    with time_machine.travel(NOW, tick=False):
        for name, role, view, query in _pages(main, berlin, people):
            client.force_login(people[role])
            response = client.get(reverse(view), query)
            assert response.status_code == 200, name
            try:
                assert_page(f"calendar/{name}", response.content)
            except pytest.fail.Exception as failure:
                failures.append(str(failure))
    assert not failures, "\n\n".join(failures)


@pytest.mark.django_db(transaction=True, serialized_rollback=True, reset_sequences=True)
def test_a_clinic_without_locations_is_as_recorded(client):
    clinic = ClinicFactory(name="Empty & <Clinic>")
    scheduler = _user(clinic, "sam@empty.test", "Sam", "Empty", SCHEDULER)
    client.force_login(scheduler)
    with time_machine.travel(NOW, tick=False):
        for view in ("calendar_day", "calendar_week"):
            response = client.get(reverse(f"scheduling:{view}"))
            assert_page(f"calendar/{view}_empty", response.content)


def test_recorded_moments_are_the_ones_meant():
    # The repeated hour's two visits are an hour apart; the skipped hour's are one hour apart
    # on the clock's face but a single hour of time too.
    assert _at(AUTUMN, 1, 30, fold=1) - _at(AUTUMN, 1, 30) == datetime.timedelta(hours=1)
    assert _at(SPRING, 3, 30) - _at(SPRING, 1, 30) == datetime.timedelta(hours=1)
    assert slots.wall(AUTUMN, datetime.time(1, 30), NEW_YORK) == _at(AUTUMN, 1, 30)
