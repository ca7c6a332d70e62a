"""The front desk's day (issue 24): the patient page's panel, **Book** into the free-time
finder, a free time into the booking form, and the finder's refusals."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from scheduling import slots
from scheduling.models import Appointment
from tests.factories import (
    AppointmentFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    ServiceTypeFactory,
)

NOW = datetime.datetime(2027, 2, 1, 14, tzinfo=datetime.UTC)  # a Monday, 9:00 in New York


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _finder(patient, **query):
    return reverse("scheduling:free_times", args=[patient.pk]), query


def test_patient_page_shows_visits_requests_portal_users_and_book(
    client, scheduler, pending_request, appointment, patient_user
):
    client.force_login(scheduler)
    patient = appointment.patient
    response = client.get(reverse("charts:patient_detail", args=[patient.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("scheduling:appointment_detail", args=[appointment.pk]) in html
    assert reverse("scheduling:request_detail", args=[pending_request.pk]) in html
    assert patient_user.email in html  # the parent who uses the portal
    book = reverse("scheduling:free_times", args=[patient.pk])
    assert f"{book}?chart_case={appointment.chart_case_id}" in html


def test_therapist_sees_own_visits_but_no_book_or_requests(
    client, therapist, pending_request, appointment, patient_user
):
    client.force_login(therapist)
    html = client.get(reverse("charts:patient_detail", args=[appointment.patient_id])).content
    html = html.decode()
    assert reverse("scheduling:appointment_detail", args=[appointment.pk]) in html
    assert reverse("scheduling:free_times", args=[appointment.patient_id]) not in html
    assert patient_user.email not in html


def test_book_shows_free_times_and_a_time_opens_the_filled_booking_form(
    client, scheduler, speech_chart_case, location, treatment, therapist
):
    client.force_login(scheduler)
    url, query = _finder(speech_chart_case.patient, chart_case=speech_chart_case.pk)
    response = client.get(url, query)
    assert response.status_code == 200
    days = response.context["days"]
    assert days, "free times are offered"
    (time, label, book_url) = days[0][2][0]
    assert time.therapist == therapist
    assert label == f"9:00 AM · {therapist.get_full_name()}"
    # Open every day from 8:00; it is 9:00 now, so the first time is today at 9:00.
    start = slots.wall(datetime.date(2027, 2, 1), datetime.time(9), location.tzinfo)
    assert slots.from_seconds(time.seconds) == start
    form_page = client.get(book_url)
    form = form_page.context["form"]
    assert form["case"].value() == f"chart:{speech_chart_case.pk}"
    assert form["time"].value() == "09:00"
    sent = {key: values[0] for key, values in parse_qs(urlsplit(book_url).query).items()}
    sent["therapists"] = sent.pop("therapist")
    booked = client.post(reverse("scheduling:appointment_create"), sent)
    assert booked.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.start == start
    assert appointment.duration_minutes == treatment.default_duration_minutes


def test_the_finder_shows_a_week_and_later_days_shows_the_next(
    client, scheduler, speech_chart_case, location, treatment, therapist
):
    client.force_login(scheduler)
    url, query = _finder(speech_chart_case.patient, chart_case=speech_chart_case.pk)
    response = client.get(url, query)
    shown = [day for day, *_ in response.context["days"]]
    assert shown[0] == datetime.date(2027, 2, 1)
    assert shown[-1] <= datetime.date(2027, 2, 7)
    later = response.context["later"]
    assert "Later days" in response.content.decode()
    after = client.get(f"{url}?{later}")
    shown = [day for day, *_ in after.context["days"]]
    assert shown[0] >= datetime.date(2027, 2, 8)
    assert shown[-1] <= datetime.date(2027, 2, 14)


def test_a_busy_time_is_not_offered(client, scheduler, speech_chart_case, location, therapist):
    start = slots.wall(datetime.date(2027, 2, 2), datetime.time(10), location.tzinfo)
    AppointmentFactory(
        chart_case=PatientChartCaseFactory(case=speech_chart_case.case),
        therapist=therapist,
        location=location,
        start=start,
        duration_minutes=60,
    )
    client.force_login(scheduler)
    url, query = _finder(
        speech_chart_case.patient,
        chart_case=speech_chart_case.pk,
        first="2027-02-02",
        last="2027-02-02",
        therapists=therapist.pk,
    )
    days = client.get(url, query).context["days"]
    offered = [slots.from_seconds(t.seconds) for *_, times in days for t, _, _ in times]
    assert offered
    assert all(
        not (start - datetime.timedelta(minutes=45) < s < start + datetime.timedelta(hours=1))
        for s in offered
    )


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"first": "2027-02-01", "last": "2027-06-01"}, "last", "at most 90 days"),
        ({"first": "2027-02-05", "last": "2027-02-01"}, "last", "cannot be before"),
        ({"chart_case": "999999"}, "chart_case", "open cases"),
        ({"location": "abc"}, "location", "open locations"),
    ],
)
def test_bad_searches_are_refused_beside_the_field(
    client, scheduler, speech_chart_case, location, query, field, message
):
    client.force_login(scheduler)
    url, base = _finder(speech_chart_case.patient, chart_case=speech_chart_case.pk)
    response = client.get(url, {**base, **query})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])


def test_a_case_nobody_can_take_is_refused(client, scheduler, clinic, location):
    case = PatientCaseFactory(clinic=clinic, service_types=[ServiceTypeFactory(clinic=clinic)])
    chart_case = PatientChartCaseFactory(case=case)
    client.force_login(scheduler)
    url, query = _finder(chart_case.patient, chart_case=chart_case.pk)
    response = client.get(url, query)
    assert response.status_code == 400
    assert "No therapist can take" in " ".join(response.context["form"].errors["chart_case"])


def test_another_patients_chart_case_is_refused(client, scheduler, speech_chart_case, location):
    other = PatientChartCaseFactory(case=speech_chart_case.case)
    client.force_login(scheduler)
    url, query = _finder(speech_chart_case.patient, chart_case=other.pk)
    assert client.get(url, query).status_code == 400


def _book(client, chart_case, therapist, location, treatment, day, hour):
    return client.post(
        reverse("scheduling:appointment_create"),
        {
            "patient": chart_case.patient_id,
            "case": f"chart:{chart_case.pk}",
            "therapists": therapist.pk,
            "location": location.pk,
            "appointment_type": treatment.pk,
            "date": day,
            "time": hour,
        },
        follow=True,
    )


def test_a_second_visit_of_one_service_that_day_is_warned_not_refused(
    client, scheduler, speech_chart_case, location, treatment, therapist
):
    client.force_login(scheduler)
    _book(client, speech_chart_case, therapist, location, treatment, "2027-02-02", "09:00")
    response = _book(
        client, speech_chart_case, therapist, location, treatment, "2027-02-02", "10:00"
    )
    assert Appointment.objects.count() == 2
    shown = [str(m) for m in response.context["messages"]]
    assert any("another visit of the same service on Tue Feb 2" in m for m in shown), shown


def test_a_visit_another_day_is_not_warned(
    client, scheduler, speech_chart_case, location, treatment, therapist
):
    client.force_login(scheduler)
    _book(client, speech_chart_case, therapist, location, treatment, "2027-02-02", "09:00")
    response = _book(
        client, speech_chart_case, therapist, location, treatment, "2027-02-03", "09:00"
    )
    assert not any("same service" in str(m) for m in response.context["messages"])


def test_the_form_from_a_free_time_lists_that_weeks_other_visits(
    client, scheduler, speech_chart_case, location, treatment, therapist
):
    client.force_login(scheduler)
    _book(client, speech_chart_case, therapist, location, treatment, "2027-02-02", "09:00")
    url, query = _finder(
        speech_chart_case.patient,
        chart_case=speech_chart_case.pk,
        first="2027-02-02",
        last="2027-02-02",
    )
    (_, _, book_url) = client.get(url, query).context["days"][0][2][0]
    page = client.get(book_url)
    other = page.context["other"]
    assert [v.local_start.hour for v in other.week] == [9]
    assert other.same_service
    assert "other visits that week" in page.content.decode()


def test_approving_a_request_on_a_busy_day_warns(
    client, scheduler, pending_request, location, treatment, therapist, request_day
):
    AppointmentFactory(
        chart_case=pending_request.chart_case,
        therapist=therapist,
        location=location,
        start=slots.wall(request_day, datetime.time(8), location.tzinfo),
        duration_minutes=60,
    )
    client.force_login(scheduler)
    response = client.post(
        reverse("scheduling:request_approve", args=[pending_request.pk]),
        {
            "therapist": therapist.pk,
            "appointment_type": treatment.pk,
            "location": location.pk,
            "date": request_day.isoformat(),
            "time": "10:00",
            "duration_minutes": 45,
        },
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert any("Request approved" in m for m in shown), shown
    assert any("same service" in m for m in shown), shown


def _move(client, appointment, **changes):
    local = appointment.local_start
    data = {
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "therapist": appointment.therapist_id,
        "location": appointment.location_id,
        "duration_minutes": appointment.duration_minutes,
        "reason": "Therapist out sick",
        "version": appointment.version,
        **changes,
    }
    return client.post(reverse("scheduling:appointment_reschedule", args=[appointment.pk]), data)


@pytest.fixture
def second_therapist(clinic, speech, location):
    from tests.factories import UserFactory
    from tests.fixtures.scheduling import open_every_day

    other = UserFactory(clinic=clinic, roles=["Therapist"], service_types=[speech])
    open_every_day(location, other)
    return other


def test_reschedule_to_another_therapist_and_location(
    client, scheduler, appointment, second_therapist, clinic, therapist
):
    from tests.factories import LocationFactory
    from tests.fixtures.scheduling import open_every_day

    annex = LocationFactory(clinic=clinic, name="Annex")
    open_every_day(annex, second_therapist)
    client.force_login(scheduler)
    response = _move(client, appointment, therapist=second_therapist.pk, location=annex.pk)
    assert response.status_code == 302, response.content.decode()[:3000]
    appointment.refresh_from_db()
    assert (appointment.therapist, appointment.location) == (second_therapist, annex)
    follow = client.get(response.url)
    assert any("is free now" in str(m) for m in follow.context["messages"])


def test_reschedule_refusals_change_nothing(
    client, scheduler, appointment, ot_therapist, second_therapist, clinic, speech_case
):
    from tests.factories import LocationFactory

    closed = LocationFactory(clinic=clinic, name="Closed")
    AppointmentFactory(
        chart_case=PatientChartCaseFactory(case=speech_case),
        therapist=second_therapist,
        location=appointment.location,
        start=appointment.start,
    )
    client.force_login(scheduler)
    refusals = [
        ({"therapist": ot_therapist.pk}, "therapist", "can take this case"),
        ({"location": closed.pk}, "time", "Closed is closed that day"),
        ({"therapist": second_therapist.pk}, "time", ""),
    ]
    for changes, field, words in refusals:
        response = _move(client, appointment, **changes)
        assert response.status_code == 400
        assert words in " ".join(response.context["form"].errors[field])
    appointment.refresh_from_db()
    assert appointment.version == 1 or appointment.location.name == "Main Street"
    assert appointment.therapist.email == "slp@riverside.test"


def _day_visits(speech_chart_case, therapist, location, hours):
    from tests.factories import PatientFactory

    made = []
    for hour in hours:
        chart_case = PatientChartCaseFactory(
            case=speech_chart_case.case, patient=PatientFactory(clinic=speech_chart_case.clinic)
        )
        made.append(
            AppointmentFactory(
                chart_case=chart_case,
                therapist=therapist,
                location=location,
                start=slots.wall(datetime.date(2027, 2, 4), datetime.time(hour), location.tzinfo),
                duration_minutes=45,
            )
        )
    return made


def test_move_a_sick_therapists_day_in_one_screen(
    client, scheduler, speech_chart_case, location, therapist, second_therapist
):
    first, second, third = _day_visits(speech_chart_case, therapist, location, [9, 11, 14])
    # The second therapist is busy at 11: not offered for that visit.
    AppointmentFactory(
        chart_case=PatientChartCaseFactory(case=speech_chart_case.case),
        therapist=second_therapist,
        location=location,
        start=second.start,
    )
    client.force_login(scheduler)
    url = reverse("scheduling:therapist_day", args=[therapist.pk])
    page = client.get(url, {"date": "2027-02-04"})
    rows = {visit.pk: free for visit, free, _ in page.context["visits"]}
    assert rows == {first.pk: [second_therapist], second.pk: [], third.pk: [second_therapist]}
    response = client.post(
        url,
        {
            "date": "2027-02-04",
            f"visit_{first.pk}": second_therapist.pk,
            f"visit_{second.pk}": "cancel",
            f"visit_{third.pk}": second_therapist.pk,
            "reason": "Therapist out sick",
        },
    )
    assert response.status_code == 302
    for visit in (first, second, third):
        visit.refresh_from_db()
    assert first.therapist == third.therapist == second_therapist
    assert second.status == Appointment.Status.CLINIC_CANCELLED
    assert first.start.astimezone(location.tzinfo).hour == 9
    from core.models import AuditEntry

    assert AuditEntry.objects.filter(action="reschedule").count() == 2
    assert AuditEntry.objects.filter(action="cancel").count() == 1


def test_moving_a_day_to_someone_not_offered_changes_nothing(
    client, scheduler, speech_chart_case, location, therapist, second_therapist, ot_therapist
):
    (first, second) = _day_visits(speech_chart_case, therapist, location, [9, 11])
    client.force_login(scheduler)
    url = reverse("scheduling:therapist_day", args=[therapist.pk])
    response = client.post(
        url,
        {
            "date": "2027-02-04",
            f"visit_{first.pk}": second_therapist.pk,
            f"visit_{second.pk}": ot_therapist.pk,
            "reason": "Out",
        },
    )
    assert response.status_code == 400
    assert "Choose a therapist offered" in response.context["form"].errors[f"visit_{second.pk}"][0]
    first.refresh_from_db()
    assert first.therapist == therapist
    assert client.get(url, {"date": "9999-12-31"}).status_code == 400
    assert client.get(url, {"date": "soon"}).status_code == 400


def test_the_sites_address_takes_a_portal_user_to_the_portal(client, patient_user, scheduler):
    client.force_login(patient_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    client.force_login(scheduler)
    assert client.get(reverse("home")).status_code == 200


def test_wording_counts_without_brackets(client, scheduler, appointment):
    """No "(s)": the discharge step's count reads as a sentence."""
    client.force_login(scheduler)
    response = client.post(
        reverse("scheduling:chart_case_appointments", args=[appointment.chart_case_id]),
        {"action": "cancel", "reason": "Discharge"},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert "1 appointment cancelled." in shown, shown
