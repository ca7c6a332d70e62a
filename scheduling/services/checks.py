"""The checks every way of booking makes before it writes: who may book, what may be booked
(``booking_errors``), the no-overlap rule's friendly form (``overlap_message``), clinic hours and
availability (``require_working``) and the chart case's authorizations (``require_authorized``).
Each raises or returns a message keyed by field; none writes."""

import datetime
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Q

from accounts.models import User
from cases.models import PatientCase
from charts.models import Patient, PatientChartCase
from clinic.models import (
    DURATION_MAX,
    DURATION_MIN,
    DURATION_STEP,
    AppointmentType,
    Clinic,
)
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, has_role
from insurance.counting import booking_problems
from scheduling import slots
from scheduling.models import Appointment, Location
from scheduling.reads.availability import working_time

CLASH = "This time was booked by someone else a moment ago: {who} already has an appointment then."
# PostgreSQL's no-overlap rules (migration 0002), and whose time each keeps.
_OVERLAP_CONSTRAINTS = {
    "appointment_no_therapist_overlap": "therapist",
    "appointment_no_patient_overlap": "patient",
}


def clash_error(error: IntegrityError, *, therapist, patient) -> ValidationError:
    """The refusal beside the time when one of the database's no-overlap rules refused a
    write that the friendly check let through (another booking committed in between), naming
    whose time is taken. Any other integrity error is not a clash: it is raised as it is."""
    diag = getattr(error.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None) or str(error)
    for constraint, whose in _OVERLAP_CONSTRAINTS.items():
        if constraint in name:
            who = therapist if whose == "therapist" else patient
            return ValidationError({"start": CLASH.format(who=who)})
    raise error


def when_text(moment: datetime.datetime, tz: ZoneInfo) -> str:
    return f"{moment.astimezone(tz):%a %b %-d, %Y %-I:%M %p}"


def require_front_desk(by: User) -> None:
    if not has_role(by, ADMINISTRATOR, SCHEDULER):
        raise PermissionDenied


def duration_error(minutes) -> str | None:
    if (
        not isinstance(minutes, int)
        or not DURATION_MIN <= minutes <= DURATION_MAX
        or minutes % DURATION_STEP
    ):
        return (
            f"Enter whole minutes from {DURATION_MIN} to {DURATION_MAX} in steps of "
            f"{DURATION_STEP}."
        )
    return None


def case_fits_therapist(case: PatientCase, therapist: User) -> bool:
    """Whether one of the therapist's service types is the case's. Read from the rows when
    both were loaded with ``prefetch_related("service_types")`` (an import checks many visits
    of few therapists and cases), otherwise one query."""
    loaded = [
        getattr(row, "_prefetched_objects_cache", {}).get("service_types")
        for row in (case, therapist)
    ]
    if all(found is not None for found in loaded):
        return not {t.pk for t in loaded[0]}.isdisjoint(t.pk for t in loaded[1])
    return case.service_types.filter(pk__in=therapist.service_types.all()).exists()


def overlap_message(
    *,
    clinic_id: int,
    therapist: User,
    patient: Patient,
    start: datetime.datetime,
    end: datetime.datetime,
    tz: ZoneInfo,
    exclude: Sequence[int] = (),
    visit=None,
) -> str | None:
    """The friendly form of the database's rule, checked first; on SQLite it is the rule.
    One query for both halves (the therapist's clash is named first): the rows that overlap
    one therapist's or patient's time are few."""
    patient_busy = Q(patient=patient)
    if visit is not None:
        patient_busy &= ~Q(visit=visit)
    busy = list(
        Appointment.objects.filter(clinic_id=clinic_id)
        .not_cancelled()
        .overlapping(start, end)
        .exclude(pk__in=exclude)
        .filter(Q(therapist=therapist) | patient_busy)
        .select_related("patient", "therapist")
    )
    for other in busy:
        if other.therapist_id == therapist.pk:
            return (
                f"{therapist} already has an appointment from {when_text(other.start, tz)} to "
                f"{other.end.astimezone(tz):%-I:%M %p}."
            )
    for other in busy[:1]:
        return (
            f"{patient} already has an appointment with {other.therapist} from "
            f"{when_text(other.start, tz)} to {other.end.astimezone(tz):%-I:%M %p}."
        )
    return None


def require_working(
    *,
    location: Location,
    therapist: User,
    start: datetime.datetime,
    end: datetime.datetime,
    by: User,
    override_reason: str | None,
) -> str:
    """Refuse ``[start, end)`` outside the location's hours or the therapist's availability,
    unless an administrator overrides with a reason; return the reason to store ("" if none)."""
    tz = location.tzinfo
    first = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    read = working_time(location=location, therapist_ids=[therapist.pk], first=first, last=last)
    reason = (override_reason or "").strip()
    if reason and not has_role(by, ADMINISTRATOR):
        raise ValidationError({"override_reason": "Only an administrator may book outside hours."})
    if slots.fits(start, end, read.intervals(therapist.pk)):
        return ""
    if reason:
        return reason
    raise ValidationError({"start": outside_hours_message(read, location, therapist, start, end)})


def outside_hours_message(read, location: Location, therapist: User, start, end) -> str:
    """Which hours ``[start, end)`` falls outside, and what they are that day: the location's
    opening hours when it is not wholly inside them, otherwise the therapist's availability
    there. The time itself is not repeated: the message stands beside it (or after it, in a
    series' list of dates)."""
    day = start.astimezone(read.tz).date()
    if not slots.fits(start, end, read.clinic_open()):
        hours = _hours_on(read.clinic_open(), day, read.tz)
        said = (
            f"This time is outside {location}'s opening hours that day ({hours})."
            if hours
            else f"{location} is closed that day."
        )
    else:
        hours = _hours_on(read.intervals(therapist.pk), day, read.tz)
        said = (
            f"This time is outside {therapist}'s availability at {location} that day ({hours})."
            if hours
            else f"{therapist} is not available at {location} that day."
        )
    return f"{said} Choose another time, or an administrator may book it with a reason."


def _hours_on(intervals, day, tz) -> str:
    """The parts of ``intervals`` on local ``day``, as "9:00 AM–12:00 PM, 1:00 PM–5:00 PM"."""
    bounds = slots.day_bounds(day, tz)
    return ", ".join(
        f"{start.astimezone(tz):%-I:%M %p}–{end.astimezone(tz):%-I:%M %p}"
        for start, end in slots.intersect(intervals, [bounds])
    )


def require_authorized(
    *,
    clinic: Clinic,
    chart_case: PatientChartCase | None,
    appointment_type: AppointmentType,
    start: datetime.datetime,
    tz: ZoneInfo,
    duration_minutes: int,
    override: str | None,
    exclude_visit=None,
) -> str:
    """Refuse a visit over or outside the chart case's authorizations (the one rule,
    ``insurance.counting.booking_problems``, which locks the authorization rows for the rest of
    this transaction) unless the person gives a reason; return the reason to store ("" when
    the visit is within them). A case not yet on the chart has no authorizations."""
    if chart_case is None:
        return ""
    verdict = booking_problems(
        clinic_id=clinic.pk,
        chart_case_id=chart_case.pk,
        date=start.astimezone(tz).date(),
        appointment_type_id=appointment_type.pk,
        minutes=duration_minutes,
        exclude_visit=exclude_visit,
    )
    reason = (override or "").strip()[:300]
    if not verdict.problems or reason:
        return reason if verdict.problems else ""
    raise ValidationError(
        {
            "authorization_override": " ".join(verdict.problems)
            + " To book it anyway, say why in “Book over the authorization because”."
        }
    )


def _therapist_error(therapist: User, clinic: Clinic, history: bool) -> str | None:
    # role_names() reads no roles of an inactive user: a visit of the past with a therapist
    # who has left asks their groups.
    is_therapist = has_role(therapist, THERAPIST) or (
        history
        and not therapist.is_active
        and User.objects.therapists().filter(pk=therapist.pk).exists()
    )
    if therapist.clinic_id != clinic.pk or not (therapist.is_active or history) or not is_therapist:
        if history:
            return "Choose a therapist of this clinic."
        return "Choose an active therapist of this clinic."
    return None


def _case_error(
    *,
    chart_case: PatientChartCase | None,
    case: PatientCase | None,
    clinic: Clinic,
    therapist: User | None,
    history: bool,
) -> str | None:
    """What is wrong with the case; ``therapist`` None when the therapist is already wrong (the
    fit to their service types is then not asked)."""
    target = chart_case.case if chart_case is not None else case
    if target is None or target.clinic_id != clinic.pk:
        return "Choose a case of this clinic."
    if target.is_archived and not history:
        return f"“{target.name}” is archived and cannot be booked."
    if chart_case is not None and not chart_case.is_active and not history:
        return f"“{target.name}” was discharged and cannot be booked."
    if therapist is not None and not case_fits_therapist(target, therapist):
        return f"“{target.name}” is not a case of {therapist}'s service types."
    return None


def _start_error(start: datetime.datetime, now: datetime.datetime, history: bool) -> str | None:
    if start.tzinfo is None:
        return "Give the start with its time zone."
    if history and start >= now:
        return "The start is not in the past: book it as a new appointment."
    if start < now and not history:
        return "The start is in the past: choose a later time."
    return None


def booking_errors(
    *,
    clinic: Clinic,
    chart_case: PatientChartCase | None,
    case: PatientCase | None,
    therapist: User,
    location: Location,
    appointment_type: AppointmentType,
    start: datetime.datetime,
    duration_minutes: int,
    now: datetime.datetime,
    history: bool = False,
) -> dict:
    """What is wrong with the appointment, by field. ``history``: a visit that already
    happened (``appointment_record``), which may name a location, type or therapist no longer
    active, an archived case or a discharged chart case, and whose start is in the past."""
    errors = {}
    if location.clinic_id != clinic.pk or not (location.is_active or history):
        errors["location"] = "Choose an active location of this clinic."
    if appointment_type.clinic_id != clinic.pk or not (appointment_type.is_active or history):
        errors["appointment_type"] = "Choose an active appointment type of this clinic."
    therapist_error = _therapist_error(therapist, clinic, history)
    case_error = _case_error(
        chart_case=chart_case,
        case=case,
        clinic=clinic,
        therapist=None if therapist_error else therapist,
        history=history,
    )
    found = {
        "therapist": therapist_error,
        "chart_case": case_error,
        "duration_minutes": duration_error(duration_minutes),
        "start": _start_error(start, now, history),
    }
    return {**errors, **{field: message for field, message in found.items() if message}}
