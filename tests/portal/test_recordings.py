"""The portal home and the request screen as a portal user sees them, recorded
(tests/snapshot.py) so that a rewrite of how they read and render shows any change: a parent
of two children with several cases (requestable, without an allowed type, archived,
discharged), upcoming, past and cancelled visits, pending, declined, approved, cancelled and
expired requests; the request screen's steps, its first and last weeks, the week of a
daylight-saving change and a week without a free time; hostile names everywhere; the clinic in
New York and in London (each changes its clocks inside the three weeks a patient may ask for).
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from core.roles import PATIENT, THERAPIST
from scheduling import slots
from scheduling.models import (
    Appointment,
    AppointmentRequest,
    AvailabilityException,
    ClinicClosure,
    ClinicHours,
    TherapistAvailability,
)
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    AppointmentTypeRuleFactory,
    ClinicFactory,
    LocationFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    PortalLinkFactory,
    ServiceTypeFactory,
    UserFactory,
)
from tests.snapshot import assert_page

NOW = datetime.datetime(2026, 10, 20, 14, 0, tzinfo=datetime.UTC)
ZONES = {
    # zone: a day whose week (as the screen shows it, from that day) has the change
    "America/New_York": datetime.date(2026, 10, 30),  # clocks go back on Sunday Nov 1
    "Europe/London": datetime.date(2026, 10, 24),  # clocks go back on Sunday Oct 25
}
RECORD = pytest.mark.django_db(transaction=True, serialized_rollback=True, reset_sequences=True)
T = datetime.time
SCHEDULED = Appointment.Status.SCHEDULED


@dataclass
class Family:
    user: object
    liam_speech: object
    liam_archived: object
    treatment: object
    evaluation: object
    main: object
    annex: object
    adams: object
    baker: object


def _at(location, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return slots.wall(day, T(hour, minute), location.tzinfo)


def _week_hours(location, *therapists, start=8, end=18):
    for weekday in range(7):
        ClinicHours.objects.create(
            clinic=location.clinic, location=location, weekday=weekday, start=T(8), end=T(18)
        )
        for therapist in therapists:
            TherapistAvailability.objects.create(
                clinic=location.clinic, therapist=therapist, location=location,
                weekday=weekday, start=T(start), end=T(end),
            )  # fmt: skip


def _staff(clinic):
    speech = ServiceTypeFactory(clinic=clinic, name="Speech & <Language>")
    occupational = ServiceTypeFactory(clinic=clinic, name="Occupational")
    admin = UserFactory(
        clinic=clinic, email="admin@clinic.test", first_name="Ada", last_name="Admin"
    )
    adams = UserFactory(
        clinic=clinic, email="adams@clinic.test", first_name="Al <i>", last_name="Adams",
        roles=[THERAPIST], service_types=[speech],
    )  # fmt: skip
    baker = UserFactory(
        clinic=clinic, email="baker@clinic.test", first_name="Bea \"B\" & Co", last_name="Baker",
        roles=[THERAPIST], service_types=[speech, occupational],
    )  # fmt: skip
    return speech, occupational, admin, adams, baker


def _cases(clinic, speech, occupational, admin):
    def case(name, services):
        return PatientCaseFactory(
            clinic=clinic, name=name, service_types=services, created_by=admin
        )

    return (
        case("Speech & <Language>", [speech]),
        case('Occupational "Fine motor"', [occupational]),
        case("Archived <old> case", [speech]),
        case("Discharged case", [speech]),
        case("Feeding & swallowing", [occupational]),
    )


def _rules(clinic, speech_case, feeding):
    treatment = AppointmentTypeFactory(clinic=clinic, name="Treatment & care")
    evaluation = AppointmentTypeFactory(clinic=clinic, name="Evaluation <b>first</b>")
    retired = AppointmentTypeFactory(clinic=clinic, name="Retired type", is_active=False)
    group = AppointmentTypeFactory(clinic=clinic, name="Group session")
    AppointmentTypeRuleFactory(case=speech_case, appointment_type=treatment, duration_minutes=45)
    AppointmentTypeRuleFactory(case=speech_case, appointment_type=evaluation, duration_minutes=90)
    AppointmentTypeRuleFactory(
        case=speech_case, appointment_type=group, allow_requests=False, duration_minutes=60
    )
    AppointmentTypeRuleFactory(case=feeding, appointment_type=retired, duration_minutes=30)
    return treatment, evaluation


def _children(clinic, user, cases):
    speech_case, occupational_case, archived_case, discharged_case, feeding = cases
    liam = PatientFactory(
        clinic=clinic, first_name="Liam", last_name="Carter",
        date_of_birth=datetime.date(2018, 3, 4),
    )  # fmt: skip
    zoe = PatientFactory(
        clinic=clinic, first_name="Zoë <script>alert(1)</script>", last_name="O'Brien & Sons",
        date_of_birth=datetime.date(2016, 11, 30),
    )  # fmt: skip
    PortalLinkFactory(user=user, patient=liam, relationship="parent")
    PortalLinkFactory(user=user, patient=zoe, relationship="guardian")
    started = datetime.date(2026, 6, 1)
    chart = {}
    for key, patient, case in (
        ("liam_speech", liam, speech_case),
        ("liam_ot", liam, occupational_case),
        ("liam_archived", liam, archived_case),
        ("zoe_speech", zoe, speech_case),
        ("zoe_feeding", zoe, feeding),
    ):
        chart[key] = PatientChartCaseFactory(patient=patient, case=case, started_on=started)
    PatientChartCaseFactory(
        patient=liam, case=discharged_case, started_on=started, status="discharged",
        discharged_on=datetime.date(2026, 9, 1),
    )  # fmt: skip
    archived_case.is_archived = True
    archived_case.archived_at = NOW
    archived_case.save()
    return chart


def _visits(chart, main, london, adams, baker, treatment):
    liam, zoe = chart["liam_speech"], chart["zoe_speech"]
    day = datetime.date(2026, 10, 22)
    booked = []
    for chart_case, therapist, location, start, status in (
        (liam, adams, main, _at(main, day, 9, 30), SCHEDULED),
        (liam, baker, london, _at(london, day + datetime.timedelta(days=1), 15), SCHEDULED),
        (liam, adams, main, _at(main, datetime.date(2026, 11, 2), 8), SCHEDULED),
        (liam, adams, main, _at(main, day, 13), Appointment.Status.CLINIC_CANCELLED),
        (liam, adams, main, _at(main, datetime.date(2026, 10, 13), 9), SCHEDULED),
        (zoe, baker, main, _at(main, datetime.date(2026, 10, 26), 10, 15), SCHEDULED),
        (zoe, baker, main, _at(main, datetime.date(2026, 10, 19), 10), SCHEDULED),
    ):
        booked.append(
            AppointmentFactory(
                chart_case=chart_case,
                therapist=therapist,
                location=location,
                appointment_type=treatment,
                start=start,
                status=status,
                created_by=adams,
            )  # fmt: skip
        )
    # The patient's own visit and Baker's other patient make holes in the week's times.
    other = PatientChartCaseFactory(
        case=liam.case,
        patient=PatientFactory(
            clinic=liam.clinic, first_name="Other", last_name="Family",
            date_of_birth=datetime.date(2010, 1, 1),
        ),
        started_on=datetime.date(2026, 6, 1),
    )  # fmt: skip
    AppointmentFactory(
        chart_case=other, therapist=baker, location=main, appointment_type=treatment,
        start=_at(main, datetime.date(2026, 10, 23), 12), duration_minutes=60, created_by=adams,
    )  # fmt: skip
    return booked


def _requests(chart, main, adams, user, treatment, evaluation, booked):
    liam, zoe = chart["liam_speech"], chart["zoe_speech"]
    made = [
        (liam, treatment, _at(main, datetime.date(2026, 10, 22), 9, 30), "approved", booked[0]),
        (liam, treatment, _at(main, datetime.date(2026, 10, 27), 11), "pending", None),
        (liam, evaluation, _at(main, datetime.date(2026, 11, 3), 8, 15), "pending", None),
        (liam, treatment, _at(main, datetime.date(2026, 10, 28), 16), "declined", None),
        (liam, treatment, _at(main, datetime.date(2026, 10, 29), 10), "cancelled", None),
        (liam, treatment, _at(main, datetime.date(2026, 10, 12), 10), "expired", None),
        # Pending but past its time: not live, the expiry command has not run yet.
        (liam, treatment, _at(main, datetime.date(2026, 10, 19), 10), "pending", None),
        (zoe, evaluation, _at(main, datetime.date(2026, 10, 30), 14, 45), "pending", None),
        (zoe, treatment, _at(main, datetime.date(2026, 10, 31), 9), "declined", None),
    ]
    for number, (chart_case, kind, start, status, appointment) in enumerate(made):
        with time_machine.travel(NOW - datetime.timedelta(hours=len(made) - number), tick=False):
            AppointmentRequest.objects.create(
                clinic=chart_case.clinic, chart_case=chart_case, patient=chart_case.patient,
                appointment_type=kind, location=main, therapist=adams, start=start,
                duration_minutes=90 if kind == evaluation else 45, status=status,
                appointment=appointment, created_by=user,
                decline_reason=(
                    "<script>alert('full')</script> & we're away" if status == "declined" else ""
                ),
                note="Mornings & <b>after school</b>",
            )  # fmt: skip


def _schedule(clinic, main, annex, adams, baker):
    _week_hours(main, adams)
    _week_hours(main, baker, start=12, end=16)
    # Annex takes requests but has no hours: no time is ever free there.
    ClinicClosure.objects.create(
        clinic=clinic, location=main, date=datetime.date(2026, 11, 5), reason="Staff day"
    )
    AvailabilityException.objects.create(
        clinic=clinic, therapist=adams, date=datetime.date(2026, 10, 28), kind="time_off",
        start=T(8), end=T(12),
    )  # fmt: skip
    AvailabilityException.objects.create(
        clinic=clinic, therapist=adams, date=datetime.date(2026, 11, 1), kind="time_off"
    )
    AvailabilityException.objects.create(
        clinic=clinic, therapist=baker, date=datetime.date(2026, 10, 31), kind="extra",
        start=T(17), end=T(18, 30), location=main,
    )  # fmt: skip


def _other_family(clinic, speech_case, main, adams, treatment):
    stranger = UserFactory(
        clinic=clinic, email="stranger@family.test", first_name="Sam", last_name="Stranger",
        roles=[PATIENT],
    )  # fmt: skip
    theirs = PatientFactory(
        clinic=clinic, first_name="Nina", last_name="Neighbour",
        date_of_birth=datetime.date(2015, 5, 5),
    )  # fmt: skip
    PortalLinkFactory(user=stranger, patient=theirs)
    chart_case = PatientChartCaseFactory(
        patient=theirs, case=speech_case, started_on=datetime.date(2026, 6, 1)
    )
    AppointmentFactory(
        chart_case=chart_case, therapist=adams, location=main, appointment_type=treatment,
        start=_at(main, datetime.date(2026, 10, 22), 15), created_by=adams,
    )  # fmt: skip


def _family(zone: str, *, requests_enabled: bool = True) -> Family:
    clinic = ClinicFactory(
        name="Riverside & <Sons>", time_zone=zone, requests_enabled=requests_enabled,
        request_horizon_days=21, request_min_notice_hours=24, request_max_pending=5,
        request_pending_lifetime_days=14,
    )  # fmt: skip
    speech, occupational, admin, adams, baker = _staff(clinic)
    cases = _cases(clinic, speech, occupational, admin)
    treatment, evaluation = _rules(clinic, cases[0], cases[4])
    main = LocationFactory(
        clinic=clinic, name='Main "Street" & Co', address="1 Main <St>",
        available_for_requests=True,
    )  # fmt: skip
    annex = LocationFactory(clinic=clinic, name="Zeta annex", available_for_requests=True)
    LocationFactory(clinic=clinic, name="Staff only", available_for_requests=False)
    london = LocationFactory(clinic=clinic, name="London <Office>", time_zone="Europe/London")
    if zone == "Europe/London":
        london.name, london.time_zone = "Kolkata <Office>", "Asia/Kolkata"
        london.save()
    user = UserFactory(
        clinic=clinic, email="parent@family.test", first_name="Ann <b>&amp;", last_name="Carter",
        roles=[PATIENT],
    )  # fmt: skip
    chart = _children(clinic, user, cases)
    booked = _visits(chart, main, london, adams, baker, treatment)
    _requests(chart, main, adams, user, treatment, evaluation, booked)
    _schedule(clinic, main, annex, adams, baker)
    _other_family(clinic, cases[0], main, adams, treatment)
    return Family(
        user, chart["liam_speech"], chart["liam_archived"], treatment, evaluation, main, annex,
        adams, baker,
    )  # fmt: skip


def _slug(zone: str) -> str:
    return zone.split("/")[1].lower()


@RECORD
@pytest.mark.parametrize("zone", ZONES)
def test_the_portal_home_as_recorded(client, zone):
    with time_machine.travel(NOW, tick=False):
        family = _family(zone)
        client.force_login(family.user)
        response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert_page(f"portal/home-{_slug(zone)}", response.content)


@RECORD
def test_the_portal_home_without_requests_as_recorded(client):
    with time_machine.travel(NOW, tick=False):
        family = _family("America/New_York", requests_enabled=False)
        client.force_login(family.user)
        response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert_page("portal/home-requests-off", response.content)


def _screens(family, zone):
    """(name, query string, expected status) of the request screen's GETs to record."""
    treatment, main = family.treatment.pk, family.main.pk
    slots_of = f"type={treatment}&location={main}"
    return [
        ("type", "", 200),
        ("location", f"type={family.evaluation.pk}", 200),
        ("first-week", slots_of, 200),
        ("dst-week", f"{slots_of}&week={ZONES[zone].isoformat()}", 200),
        ("last-week", f"{slots_of}&week=2026-12-31", 200),
        ("therapist", f"{slots_of}&therapist={family.baker.pk}&week=2026-10-28", 200),
        ("no-slots", f"type={treatment}&location={family.annex.pk}", 200),
        ("bad-choices", "type=999999&location=abc&therapist=0", 400),
    ]


@RECORD
@pytest.mark.parametrize("zone", ZONES)
def test_the_request_screen_as_recorded(client, zone):
    with time_machine.travel(NOW, tick=False):
        family = _family(zone)
        client.force_login(family.user)
        url = reverse("portal:request_create", args=[family.liam_speech.pk])
        for name, query, status in _screens(family, zone):
            response = client.get(f"{url}?{query}" if query else url)
            assert response.status_code == status, name
            assert_page(f"portal/request-{_slug(zone)}-{name}", response.content)
        tz = ZoneInfo(zone)
        # A POST refused (a time not offered): the choices, the error and the note come back.
        refused = client.post(
            url,
            {
                "type": family.treatment.pk,
                "location": family.main.pk,
                "therapist": family.adams.pk,
                "start": datetime.datetime(2026, 10, 28, 9, tzinfo=tz).isoformat(),
                "note": "Mornings & <script>alert('x')</script>",
                "week": "2026-10-28",
            },
        )
        assert refused.status_code == 400
        assert_page(f"portal/request-{_slug(zone)}-refused", refused.content)
        archived = reverse("portal:request_create", args=[family.liam_archived.pk])
        closed = client.get(archived)
        assert closed.status_code == 403
        assert_page(f"portal/request-{_slug(zone)}-closed", closed.content)
