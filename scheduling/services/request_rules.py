"""What a chart case may request from the portal, and when: whether requests are open for it
(``requests_open_for``), the appointment types it allows (``allowed_rules``), the therapists
who may take it (``case_therapists``), the window of days (``request_window``) and the starts
offered in it (``request_slots``). Read by the portal's screens and checked again by
``requests.request_create``."""

import datetime

from accounts.models import User
from cases.models import AppointmentTypeRule
from charts.models import PatientChartCase
from clinic.models import Clinic
from insurance.counting import closed_to_requests
from scheduling.models import Location
from scheduling.reads.availability import bookable_slots

STEP = datetime.timedelta(minutes=15)


def requests_open_for(chart_case: PatientChartCase, *, closed: set | None = None) -> str | None:
    """Why this case cannot be requested now, or None. ``closed``: the chart cases
    ``insurance.counting.closed_to_requests`` already gave for a page of them."""
    clinic = chart_case.clinic
    if not clinic.requests_enabled:
        return "This clinic does not take appointment requests online. Please call the clinic."
    if chart_case.case.is_archived or not chart_case.is_active:
        return f"“{chart_case.case.name}” is closed: appointments cannot be requested for it."
    if closed is None:
        closed = closed_to_requests(
            clinic_id=clinic.pk, chart_case_ids=[chart_case.pk], today=clinic.today()
        )
    if chart_case.pk in closed:
        return (
            f"The insurance authorizations of “{chart_case.case.name}” are used up or have "
            "ended. Please call the clinic to book."
        )
    return None


def allowed_rules(chart_case: PatientChartCase) -> list[AppointmentTypeRule]:
    """The appointment types patients may request for this case, with their durations
    (``AppointmentTypeRule.objects.requestable_for``)."""
    return list(AppointmentTypeRule.objects.requestable_for(chart_case))


def case_therapists(chart_case: PatientChartCase):
    """The therapists who may take the case (``User.objects.who_may_take``)."""
    return User.objects.for_clinic(chart_case.clinic_id).who_may_take(chart_case.case_id)


def request_window(
    clinic: Clinic, now: datetime.datetime | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """The earliest and latest start a patient may request: the notice is elapsed hours, the
    horizon calendar days of the clinic's wall clock (so "60 days ahead" keeps its hour
    across a daylight-saving change)."""
    now = (now or clinic.now()).astimezone(datetime.UTC)
    earliest = now + datetime.timedelta(hours=clinic.request_min_notice_hours)
    local = now.astimezone(clinic.tzinfo)
    latest = (local + datetime.timedelta(days=clinic.request_horizon_days)).astimezone(datetime.UTC)
    return earliest, latest


def request_slots(
    *,
    chart_case: PatientChartCase,
    location: Location,
    duration_minutes: int,
    therapist_ids: list[int],
    now: datetime.datetime | None = None,
    within: tuple[datetime.datetime, datetime.datetime] | None = None,
) -> dict[int, list[datetime.datetime]]:
    """Each therapist's starts a patient may request: in steps of 15 minutes, inside
    ``request_window`` (and inside ``within``, a shorter span such as the week a page shows).
    Two queries (``bookable_slots``)."""
    clinic = chart_case.clinic
    now = (now or clinic.now()).astimezone(datetime.UTC)
    earliest, latest = request_window(clinic, now)
    if within is not None:
        earliest, latest = max(earliest, within[0]), min(latest, within[1])
        if latest < earliest:
            return {therapist_id: [] for therapist_id in therapist_ids}
    return bookable_slots(
        location=location,
        therapist_ids=therapist_ids,
        patient_id=chart_case.patient_id,
        duration=datetime.timedelta(minutes=duration_minutes),
        now=now,
        notice=earliest - now,
        horizon=latest - now,
        step=STEP,
    )
