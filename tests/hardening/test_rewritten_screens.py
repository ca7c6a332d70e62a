"""Review of the screens rewritten as written-out SQL and HTML built in Python (issue 13):
input the ORM used to absorb (an id past the database's integers, a date at the end of the
calendar) is a 404 or a form error, never a 500, on SQLite as on PostgreSQL."""

import datetime

from django.urls import reverse

from core.inputs import DATE_RANGE_MESSAGE
from scheduling.models import Appointment, AppointmentRequest
from tests.hardening.helpers import logged_in, text

HUGE_ID = str(10**30)
PAST_BIGINT = str(2**63)


def _get(user, path, data=None):
    client = logged_in(user)
    client.raise_request_exception = False
    return client.get(path, data)


def test_an_out_of_range_request_id_is_a_404(scheduler, pending_request):
    for pk in (HUGE_ID, PAST_BIGINT):
        assert _get(scheduler, f"/schedule/requests/{pk}/").status_code == 404


def test_an_out_of_range_chart_case_id_on_the_portal_is_a_404(patient_user, portal_chart_case):
    for pk in (HUGE_ID, PAST_BIGINT):
        assert _get(patient_user, f"/portal/cases/{pk}/request/").status_code == 404


def test_an_out_of_range_therapist_in_the_week_is_a_404(scheduler, location, therapist):
    for pk in (HUGE_ID, PAST_BIGINT):
        response = _get(scheduler, reverse("scheduling:calendar_week"), {"therapist": pk})
        assert response.status_code == 404


# The Audit Log's filters: the ends of the calendar, digits that are not 0-9.


def test_the_audit_log_refuses_the_last_and_first_days_of_the_calendar(administrator, clinic):
    url = reverse("core:audit_log")
    for zone in ("America/New_York", "Pacific/Auckland"):  # behind UTC, and ahead of it
        clinic.time_zone = zone
        clinic.save()
        for dates in (
            {"date_to": "9999-12-31"},
            {"date_from": "9999-12-31"},
            {"date_from": "0001-01-01"},
            {"date_to": "0001-01-01"},
        ):
            response = _get(administrator, url, dates)
            # Outside the range every form holds dates to (issue 26): said beside the field.
            assert response.status_code == 400, (zone, dates)
            assert DATE_RANGE_MESSAGE in text(response)


def test_an_audit_log_patient_of_digits_other_than_0_to_9_is_a_name(administrator):
    response = _get(administrator, reverse("core:audit_log"), {"patient": "²"})

    assert response.status_code == 200
    assert "No entries match these filters." in response.content.decode()


# Hostile names on the screens whose HTML is now written in Python.

HOSTILE = '<script>x</script> "O\'Neil" & <b>'


def _hostile_everywhere(appointment, pending_request, location, therapist):
    """Every name the calendar and the request screens show, made hostile; a cancelled
    appointment with a hostile reason; the request with a hostile note, unchosen therapist."""
    for row in (appointment.patient, therapist):
        row.first_name = HOSTILE
        row.last_name = HOSTILE
        row.save()
    appointment.chart_case.case.name = HOSTILE
    appointment.chart_case.case.save()
    appointment.appointment_type.name = HOSTILE
    appointment.appointment_type.save()
    location.name = HOSTILE
    location.save()
    cancelled = Appointment.objects.get(pk=appointment.pk)
    cancelled.pk = None
    cancelled.start += datetime.timedelta(hours=3)
    cancelled.end += datetime.timedelta(hours=3)
    cancelled.status = Appointment.CANCELLED[0]
    cancelled.cancel_reason = HOSTILE
    cancelled.save()
    AppointmentRequest.objects.filter(pk=pending_request.pk).update(
        note=HOSTILE, start=appointment.start
    )


def _assert_escaped(response):
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>x" not in html and "<b>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_hostile_names_are_escaped_on_the_calendar(
    appointment, pending_request, location, therapist, scheduler, tomorrow
):
    _hostile_everywhere(appointment, pending_request, location, therapist)
    day = {"location": location.pk, "date": tomorrow.isoformat()}
    for user in (scheduler, therapist):
        _assert_escaped(_get(user, reverse("scheduling:calendar_day"), day))
        _assert_escaped(_get(user, reverse("scheduling:calendar_week"), day))
    week = {**day, "therapist": therapist.pk}
    _assert_escaped(_get(scheduler, reverse("scheduling:calendar_week"), week))


def test_hostile_names_are_escaped_on_the_request_screens(
    appointment, pending_request, location, therapist, scheduler
):
    _hostile_everywhere(appointment, pending_request, location, therapist)
    _assert_escaped(_get(scheduler, reverse("scheduling:request_list")))
    detail = reverse("scheduling:request_detail", args=[pending_request.pk])
    _assert_escaped(_get(scheduler, detail))


def test_hostile_names_are_escaped_on_the_portal(
    appointment, pending_request, location, therapist, patient_user, portal_chart_case, treatment
):
    _hostile_everywhere(appointment, pending_request, location, therapist)
    _assert_escaped(_get(patient_user, reverse("portal:home")))
    url = reverse("portal:request_create", args=[portal_chart_case.pk])
    _assert_escaped(_get(patient_user, url, {"type": treatment.pk}))
    _assert_escaped(_get(patient_user, url, {"type": treatment.pk, "location": location.pk}))


# Tenancy: the portal home's one statement shows nothing of another family of the clinic, nor
# of another clinic (whose ids could match).


def test_the_portal_home_shows_nothing_of_another_family_or_clinic(
    clinic, other_clinic, other_admin, patient_user, portal_chart_case, other_family_patient,
    speech_case, location, therapist, treatment, scheduler, tomorrow,
):  # fmt: skip
    from tests.factories import (
        AppointmentFactory,
        AppointmentTypeFactory,
        LocationFactory,
        PatientCaseFactory,
        PatientChartCaseFactory,
        PatientFactory,
        PortalLinkFactory,
        UserFactory,
    )
    from tests.fixtures.scheduling import local

    theirs = PatientChartCaseFactory(patient=other_family_patient, case=speech_case)
    AppointmentFactory(
        chart_case=theirs, therapist=therapist, location=location, appointment_type=treatment,
        start=local(location, tomorrow, 11), created_by=scheduler,
    )  # fmt: skip
    AppointmentRequest.objects.create(
        clinic=clinic, chart_case=theirs, patient=other_family_patient,
        appointment_type=treatment, location=location, therapist=therapist,
        start=local(location, tomorrow, 14), duration_minutes=45, note="Zoe's note",
        created_by=scheduler,
    )  # fmt: skip
    # Another clinic, its portal user linked to a patient there: every row of it named so
    # that it would show if a statement forgot the clinic.
    elsewhere = LocationFactory(clinic=other_clinic, name="Elsewhere Office")
    kind = AppointmentTypeFactory(clinic=other_clinic, name="Elsewhere Visit")
    stranger = PatientFactory(clinic=other_clinic, first_name="Stranger", last_name="Elsewhere")
    PortalLinkFactory(
        user=UserFactory(clinic=other_clinic, roles=["Patient"]), patient=stranger,
        relationship="self",
    )  # fmt: skip
    far = PatientChartCaseFactory(
        patient=stranger,
        case=PatientCaseFactory(clinic=other_clinic, name="Elsewhere Case", created_by=other_admin),
    )
    AppointmentFactory(
        chart_case=far, therapist=UserFactory(clinic=other_clinic, roles=["Therapist"]),
        location=elsewhere, appointment_type=kind, start=local(elsewhere, tomorrow, 9),
    )  # fmt: skip

    html = _get(patient_user, reverse("portal:home")).content.decode()

    assert portal_chart_case.patient.first_name in html
    for word in ("Zoe", "Other", "Elsewhere", "Stranger", "2:00 PM", "11:00 AM"):
        assert word not in html, word


def test_the_staff_list_names_only_the_clinics_service_types(
    administrator, therapist, other_clinic
):
    """The staff list's written-out subquery reads the service types by the user's links; a
    link to another clinic's service type (no form makes one, a bad import might) is not
    shown: the subquery names the clinic as every raw statement must."""
    from tests.factories import ServiceTypeFactory

    theirs = ServiceTypeFactory(clinic=other_clinic, name="Elsewhere Therapy")
    therapist.service_types.through.objects.create(user=therapist, servicetype=theirs)

    html = _get(administrator, reverse("accounts:staff_list")).content.decode()

    assert therapist.last_name in html
    assert "Elsewhere Therapy" not in html
