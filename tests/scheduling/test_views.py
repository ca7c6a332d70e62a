"""The screens: + Appointment, the calendar, the Today list, the daily note of a visit, the
discharge step, Basic Setup."""

import datetime

import pytest
from django.urls import reverse

from charts.models import DailyNote, PatientChartCase
from core.models import AuditEntry
from scheduling.models import Appointment, ClinicHours, Location
from tests.factories import (
    AppointmentFactory,
    DailyNoteFactory,
    LocationFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    UserFactory,
)
from tests.fixtures.scheduling import local, open_every_day

ADD = reverse("scheduling:appointment_create")


def form_data(patient, therapist, location, treatment, day, **extra):
    return {
        "patient": patient.pk,
        "therapists": [therapist.pk],
        "location": location.pk,
        "appointment_type": treatment.pk,
        "date": day.isoformat(),
        "time": "10:00",
        "duration_minutes": "",
        **extra,
    }


@pytest.fixture
def new_patient(clinic):
    return PatientFactory(clinic=clinic, first_name="Ava", last_name="Nguyen")


@pytest.fixture
def feeding_case(clinic, speech, occupational, administrator):
    return PatientCaseFactory(
        clinic=clinic,
        name="Feeding Therapy",
        service_types=[speech, occupational],
        created_by=administrator,
    )


def test_new_patient_case_is_preselected_and_booking_adds_it(
    client,
    scheduler,
    new_patient,
    therapist,
    location,
    treatment,
    speech_case,
    feeding_case,
    tomorrow,
):
    client.force_login(scheduler)
    page = client.get(ADD, {"patient": new_patient.pk, "therapist": therapist.pk})
    assert page.status_code == 200
    assert page.context["form"].initial["case"] == f"case:{speech_case.pk}"
    assert "Feeding Therapy" in page.content.decode()

    response = client.post(
        ADD,
        form_data(
            new_patient, therapist, location, treatment, tomorrow, case=f"case:{speech_case.pk}"
        ),
    )

    assert response.status_code == 302, response.context["form"].errors
    appointment = Appointment.objects.get()
    assert appointment.chart_case.patient == new_patient
    assert appointment.duration_minutes == 45
    assert PatientChartCase.objects.filter(patient=new_patient, case=speech_case).active().exists()


def test_second_booking_in_the_same_slot_is_refused_with_a_message(
    client, scheduler, speech_chart_case, therapist, location, treatment, tomorrow, clinic
):
    client.force_login(scheduler)
    patient = speech_chart_case.patient
    data = form_data(
        patient, therapist, location, treatment, tomorrow, case=f"chart:{speech_chart_case.pk}"
    )
    assert client.post(ADD, data).status_code == 302
    other = PatientChartCaseFactory(case=speech_chart_case.case)
    response = client.post(
        ADD,
        {**data, "patient": other.patient.pk, "case": f"chart:{other.pk}"},
    )
    assert response.status_code == 400
    assert "already has an appointment" in str(
        response.context["form"].errors["time"]
        if "time" in response.context["form"].errors
        else response.context["form"].non_field_errors()
    )
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"date": "2026-02-30"}, "date"),
        ({"duration_minutes": "0"}, "duration_minutes"),
        ({"duration_minutes": "7"}, "duration_minutes"),
        ({"duration_minutes": "481"}, "duration_minutes"),
        ({"repeat": "on", "count": "53"}, "count"),
        ({"case": "case:999999"}, "case"),
        ({"location": "999999"}, "location"),
        ({"therapists": ["999999"]}, "therapists"),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field(
    client, scheduler, speech_chart_case, therapist, location, treatment, tomorrow, change, field
):
    client.force_login(scheduler)
    data = form_data(
        speech_chart_case.patient,
        therapist,
        location,
        treatment,
        tomorrow,
        case=f"chart:{speech_chart_case.pk}",
    )
    response = client.post(ADD, {**data, **change})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Appointment.objects.exists()
    assert not AuditEntry.objects.exists()


def test_past_start_and_hours_are_refused_next_to_the_field(
    client, scheduler, speech_chart_case, therapist, location, treatment, tomorrow, clinic
):
    client.force_login(scheduler)
    data = form_data(
        speech_chart_case.patient,
        therapist,
        location,
        treatment,
        tomorrow,
        case=f"chart:{speech_chart_case.pk}",
    )
    yesterday = clinic.today() - datetime.timedelta(days=1)
    for change in ({"date": yesterday.isoformat()}, {"time": "19:00"}):
        response = client.post(ADD, {**data, **change})
        assert response.status_code == 400
        assert response.context["form"].errors
    assert not Appointment.objects.exists()


def test_therapists_of_two_service_types_are_refused(
    client, scheduler, speech_chart_case, therapist, ot_therapist, location, treatment, tomorrow
):
    client.force_login(scheduler)
    data = form_data(
        speech_chart_case.patient,
        therapist,
        location,
        treatment,
        tomorrow,
        case=f"chart:{speech_chart_case.pk}",
    )
    response = client.post(ADD, {**data, "therapists": [therapist.pk, ot_therapist.pk]})
    assert response.status_code == 400
    assert not Appointment.objects.exists()


def test_series_preview_reports_the_colliding_date_then_books_the_rest(
    client, scheduler, speech_chart_case, therapist, location, treatment, tomorrow
):
    client.force_login(scheduler)
    AppointmentFactory(
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=local(location, tomorrow + datetime.timedelta(days=14), 10),
        chart_case=PatientChartCaseFactory(case=speech_chart_case.case),
    )
    data = form_data(
        speech_chart_case.patient,
        therapist,
        location,
        treatment,
        tomorrow,
        case=f"chart:{speech_chart_case.pk}",
        repeat="on",
        every_weeks="1",
        count="4",
    )
    preview = client.post(ADD, data)
    assert preview.status_code == 200
    assert len(preview.context["colliding"]) == 1
    assert Appointment.objects.count() == 1

    response = client.post(ADD, {**data, "confirm": "book"})
    assert response.status_code == 302
    assert Appointment.objects.filter(series__isnull=False).count() == 3


def test_day_view_shows_appointments_at_a_fixed_number_of_queries(
    client,
    scheduler,
    appointment,
    location,
    tomorrow,
    django_assert_num_queries,
    clinic,
    speech_case,
    treatment,
):
    client.force_login(scheduler)
    url = reverse("scheduling:calendar_day")
    params = {"date": tomorrow.isoformat(), "location": location.pk}
    client.get(url, params)
    # The session, the user with their roles; the locations; the day's appointments and
    # pending requests (scheduling.reads.calendar); hours, closures, availability with the
    # therapists and exceptions as one UNION ALL (working_time); the pending requests' count;
    # the session's save (three).
    with django_assert_num_queries(10):
        response = client.get(url, params)
    assert "Liam Carter" in response.content.decode()
    # More therapists and appointments: the same number of queries.
    for hour in range(11, 16):
        extra = UserFactory(clinic=clinic, roles=["Therapist"])
        open_every_day(location, extra)
        AppointmentFactory(
            therapist=extra,
            location=location,
            appointment_type=treatment,
            start=local(location, tomorrow, hour),
            chart_case=PatientChartCaseFactory(case=speech_case),
        )
    with django_assert_num_queries(10):
        response = client.get(url, params)
    assert response.content.decode().count('class="appointment') == 6


def test_week_view_for_a_therapist(client, therapist, appointment, location, tomorrow):
    client.force_login(therapist)
    response = client.get(
        reverse("scheduling:calendar_week"), {"date": tomorrow.isoformat(), "location": location.pk}
    )
    assert response.status_code == 200
    assert "Liam Carter" in response.content.decode()


@pytest.mark.parametrize(
    ("date", "time"), [(datetime.date(9999, 12, 31), "23:30"), (datetime.date(1, 1, 1), "00:10")]
)
def test_a_booking_at_the_calendars_end_is_refused_by_the_field(
    client, scheduler, speech_chart_case, therapist, location, treatment, date, time
):
    client.force_login(scheduler)
    data = form_data(
        speech_chart_case.patient,
        therapist,
        location,
        treatment,
        date,
        time=time,
        case=f"chart:{speech_chart_case.pk}",
    )
    response = client.post(ADD, data)
    assert response.status_code == 400
    assert response.context["form"].errors["date"]
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("view", ["scheduling:calendar_day", "scheduling:calendar_week"])
@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "0001-01-02"])
def test_a_date_at_the_calendars_end_shows_today(client, scheduler, location, view, date):
    # Midnight after the last day (or a week before the first) is no date: not a 500.
    client.force_login(scheduler)
    response = client.get(reverse(view), {"date": date, "location": location.pk})
    assert response.status_code == 200
    assert response.context["day"] == datetime.datetime.now(location.tzinfo).date()


def test_today_list_and_the_daily_note_of_the_visit(
    client, therapist, speech_chart_case, location, treatment, clinic, scheduler
):
    now = clinic.now()
    start = now + datetime.timedelta(minutes=5)
    if start.date() != now.date():
        start = now - datetime.timedelta(minutes=50)
    appointment = AppointmentFactory(
        chart_case=speech_chart_case,
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=start,
        created_by=scheduler,
    )
    client.force_login(therapist)
    home = client.get(reverse("home"))
    assert list(home.context["todays_appointments"]) == [appointment]

    response = client.get(reverse("scheduling:appointment_note", args=[appointment.pk]))
    assert response.status_code == 302
    assert f"date_of_service={appointment.local_start.date().isoformat()}" in response["Location"]
    form = client.get(response["Location"])
    assert form.context["form"].initial["date_of_service"] == appointment.local_start.date()

    saved = client.post(
        response["Location"],
        {
            "date_of_service": appointment.local_start.date().isoformat(),
            "subjective": "s",
            "objective": "o",
            "assessment": "a",
            "plan": "p",
        },
    )
    assert saved.status_code == 302
    appointment.refresh_from_db()
    assert appointment.daily_note == DailyNote.objects.get()


def test_therapist_finds_a_booked_patient_in_patients(
    client, scheduler, therapist, new_patient, location, treatment, speech_case, tomorrow
):
    client.force_login(scheduler)
    client.post(
        ADD,
        form_data(
            new_patient, therapist, location, treatment, tomorrow, case=f"case:{speech_case.pk}"
        ),
    )
    client.force_login(therapist)
    response = client.get(reverse("charts:patient_list"), {"q": "Nguyen"})
    assert "Nguyen" in response.content.decode()


def test_therapist_checks_in_and_completes(client, therapist, appointment):
    client.force_login(therapist)
    url = reverse("scheduling:appointment_status", args=[appointment.pk])
    assert client.post(url, {"status": "checked_in"}).status_code == 302
    assert client.post(url, {"status": "completed"}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "completed"
    assert client.post(url, {"status": "checked_in"}).status_code == 409


def test_discharge_step_cancels_future_appointments(client, therapist, appointment):
    client.force_login(therapist)
    url = reverse("scheduling:chart_case_appointments", args=[appointment.chart_case_id])
    assert "Liam" in client.get(url).content.decode()
    response = client.post(url, {"action": "cancel", "reason": "Discharged"})
    assert response["Location"] == reverse(
        "charts:chart_case_discharge", args=[appointment.chart_case_id]
    )
    appointment.refresh_from_db()
    assert appointment.status == "clinic_cancelled"


def test_discharge_step_sends_a_therapist_with_drafts_to_the_refusal_first(
    client, therapist, appointment
):
    """Charts refuses a discharge while drafts remain: the step cancels nothing and shows that
    screen (with its list of drafts) instead."""
    DailyNoteFactory(chart_case=appointment.chart_case, author=therapist)
    client.force_login(therapist)
    url = reverse("scheduling:chart_case_appointments", args=[appointment.chart_case_id])
    discharge = reverse("charts:chart_case_discharge", args=[appointment.chart_case_id])

    assert client.get(url)["Location"] == discharge
    assert client.post(url, {"action": "cancel", "reason": "Discharged"})["Location"] == discharge
    appointment.refresh_from_db()
    assert appointment.status == "scheduled"
    assert "Sign or delete these first" in client.get(discharge).content.decode()


def test_appointment_entries_show_on_the_chart_case_history(client, therapist, appointment):
    client.force_login(therapist)
    url = reverse("scheduling:appointment_status", args=[appointment.pk])
    client.post(url, {"status": "checked_in"})

    history = client.get(reverse("charts:chart_case_history", args=[appointment.chart_case_id]))

    assert "Appointment status changed" in history.content.decode()


def test_reschedule_and_cancel_screens(client, scheduler, appointment, location, tomorrow):
    client.force_login(scheduler)
    url = reverse("scheduling:appointment_reschedule", args=[appointment.pk])
    response = client.post(
        url,
        {
            "date": tomorrow.isoformat(),
            "time": "14:00",
            "duration_minutes": 60,
            "reason": "Asked to",
            "version": appointment.version,
        },
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.local_start.hour == 14
    stale = client.post(
        reverse("scheduling:appointment_cancel", args=[appointment.pk]),
        {"status": "clinic_cancelled", "reason": "x", "version": 1},
    )
    assert stale.status_code == 409  # stale, as every versioned screen answers
    cancelled = client.post(
        reverse("scheduling:appointment_cancel", args=[appointment.pk]),
        {"status": "clinic_cancelled", "reason": "Closed", "version": appointment.version},
    )
    assert cancelled.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "clinic_cancelled"


def test_location_setup(administrator_client, clinic):
    response = administrator_client.post(
        reverse("scheduling:location_create"),
        {"name": "Annex", "address": "2 Elm", "time_zone": "America/Chicago", "is_active": "on"},
    )
    assert response.status_code == 302
    location = Location.objects.get(name="Annex")
    hours = reverse("scheduling:location_hours", args=[location.pk])
    bad = administrator_client.post(
        hours,
        {"form": "hours_form", "hours-weekday": 0, "hours-start": "12:00", "hours-end": "09:00"},
    )
    assert bad.status_code == 400
    assert not ClinicHours.objects.exists()
    ok = administrator_client.post(
        hours,
        {"form": "hours_form", "hours-weekday": 0, "hours-start": "09:00", "hours-end": "12:00"},
    )
    assert ok.status_code == 302
    assert ClinicHours.objects.get().location == location
    assert AuditEntry.objects.filter(action="create").count() == 2


def test_week_view_runs_a_fixed_number_of_queries(
    client,
    scheduler,
    therapist,
    appointment,
    location,
    tomorrow,
    treatment,
    speech_case,
    django_assert_num_queries,
):
    client.force_login(scheduler)
    url = reverse("scheduling:calendar_week")
    params = {"date": tomorrow.isoformat(), "location": location.pk, "therapist": therapist.pk}
    client.get(url, params)
    # The session, the user with their roles; the locations; the picker's therapists, the
    # week's appointments and requests (scheduling.reads.calendar); hours, closures,
    # availability and exceptions as one UNION ALL (working_time); the pending count; the
    # session's save.
    with django_assert_num_queries(11) as first:
        client.get(url, params)
    for days in range(1, 6):
        AppointmentFactory(
            therapist=therapist,
            location=location,
            appointment_type=treatment,
            start=local(location, tomorrow + datetime.timedelta(days=days), 9),
            chart_case=PatientChartCaseFactory(case=speech_case),
        )
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url, params)
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["scheduler", "therapist"])
def test_calendar_for_each_role_runs_a_fixed_number_of_queries(
    client,
    request,
    who,
    therapist,
    ot_therapist,
    appointment,
    location,
    tomorrow,
    treatment,
    speech_case,
    django_assert_num_queries,
):
    """The day, the week of a named therapist and the week with none named (the first
    therapist's), for the front desk and for a therapist (their own calendar: no therapists
    to read, no pending count), with more therapists and appointments the same count."""
    client.force_login(request.getfixturevalue(who))
    day = {"date": tomorrow.isoformat(), "location": location.pk}
    # The week's picker is one more query for the front desk.
    count = 10 if who == "scheduler" else 9
    week = count + 1 if who == "scheduler" else count
    pages = [
        (reverse("scheduling:calendar_day"), day, count),
        (reverse("scheduling:calendar_week"), {**day, "therapist": therapist.pk}, week),
        (reverse("scheduling:calendar_week"), day, week),
    ]
    for url, params, _ in pages:
        client.get(url, params)
    for hour in range(11, 16):
        extra = UserFactory(clinic=location.clinic, roles=["Therapist"])
        open_every_day(location, extra)
        for each in (extra, therapist):
            AppointmentFactory(
                therapist=each,
                location=location,
                appointment_type=treatment,
                start=local(location, tomorrow + datetime.timedelta(days=hour - 11), hour),
                chart_case=PatientChartCaseFactory(case=speech_case),
            )
        for url, params, count in pages:
            with django_assert_num_queries(count):
                response = client.get(url, params)
            assert response.status_code == 200


def test_series_this_and_following(
    client, scheduler, speech_chart_case, therapist, location, treatment, tomorrow
):
    from scheduling import services

    series, _ = services.series_book(
        clinic=location.clinic,
        chart_case=speech_chart_case,
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=local(location, tomorrow, 10),
        duration_minutes=45,
        rule=services.SeriesRule(interval=1, weekdays=(tomorrow.weekday(),), count=4),
        by=scheduler,
    )
    rows = list(series.appointments.order_by("start"))
    client.force_login(scheduler)
    response = client.post(
        reverse("scheduling:appointment_reschedule", args=[rows[1].pk]),
        {
            "date": rows[1].local_start.date().isoformat(),
            "time": "11:00",
            "duration_minutes": 45,
            "reason": "New time",
            "following": "on",
            "version": rows[1].version,
        },
    )
    assert response.status_code == 302
    hours = [
        row.local_start.hour
        for row in series.appointments.order_by("start").select_related("location")
    ]
    assert hours == [10, 11, 11, 11]
    response = client.post(
        reverse("scheduling:appointment_cancel", args=[rows[2].pk]),
        {"status": "patient_cancelled", "reason": "Moving away", "following": "on", "version": 2},
    )
    assert response.status_code == 302
    statuses = list(series.appointments.order_by("start").values_list("status", flat=True))
    assert statuses == ["scheduled", "scheduled", "patient_cancelled", "patient_cancelled"]


def test_times_show_in_the_locations_zone_not_the_clinics(
    client, scheduler, speech_chart_case, therapist, treatment, tomorrow, clinic
):
    west = LocationFactory(clinic=clinic, name="West", time_zone="America/Los_Angeles")
    appointment = AppointmentFactory(
        chart_case=speech_chart_case,
        therapist=therapist,
        location=west,
        appointment_type=treatment,
        start=local(west, tomorrow, 9),
    )
    client.force_login(scheduler)
    detail = client.get(reverse("scheduling:appointment_detail", args=[appointment.pk]))
    assert "9:00 AM" in detail.content.decode()
    day = client.get(
        reverse("scheduling:calendar_day"), {"location": west.pk, "date": tomorrow.isoformat()}
    )
    assert "9:00–9:45 AM" in day.content.decode()


def test_a_dated_note_link_is_not_a_pull_forward(client, therapist, speech_chart_case, clinic):
    client.force_login(therapist)
    url = reverse("charts:note_create", args=[speech_chart_case.pk])
    response = client.get(url, {"date_of_service": clinic.today().isoformat()})
    assert response.context["pulled_forward"] is False
    assert response.context["form"].initial["date_of_service"] == clinic.today()
