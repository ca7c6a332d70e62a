"""The one booking path and the appointment lifecycle.

Every way an appointment comes to exist (the + Appointment form, a weekly series, an approved
portal request, an import of future visits) calls ``appointment_book``; an import's visits of
the past call ``history.appointment_record``, which keeps the same overlap rule (``_insert``)
without the rules of booking ahead (hours, availability, a start in the future).

Both check what a form would, then rely on the database for overlaps: PostgreSQL's exclusion
constraints refuse a second
appointment of the same therapist or patient at the same time even when two requests race;
on SQLite writers are serialised (``transaction_mode=IMMEDIATE``), so the overlap query run
inside the transaction sees every committed booking. Either way a clash is a
``ValidationError`` with a message for the ``start`` field, never a 500.
"""

import datetime
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from accounts.models import User
from cases.models import PatientCase
from charts.models import Patient, PatientChartCase
from charts.services import chart_case_add
from clinic.models import (
    DURATION_MAX,
    DURATION_MIN,
    DURATION_STEP,
    AppointmentType,
    Clinic,
)
from core.audit import diff, record
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, has_role
from insurance.counting import booking_problems
from scheduling import slots
from scheduling.models import Appointment, AppointmentSeries, Location
from scheduling.reads.availability import working_intervals
from scheduling.signals import appointment_changed

MAX_OCCURRENCES = 52
CLASH = "This time was booked by someone else a moment ago: {who} already has an appointment then."


def _fmt(moment: datetime.datetime, tz: ZoneInfo) -> str:
    return f"{moment.astimezone(tz):%a %b %-d, %Y %-I:%M %p}"


def _require_front_desk(by: User) -> None:
    if not has_role(by, ADMINISTRATOR, SCHEDULER):
        raise PermissionDenied


def _duration_error(minutes) -> str | None:
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


def _overlap_message(
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
                f"{therapist} already has an appointment from {_fmt(other.start, tz)} to "
                f"{other.end.astimezone(tz):%-I:%M %p}."
            )
    for other in busy[:1]:
        return (
            f"{patient} already has an appointment with {other.therapist} from "
            f"{_fmt(other.start, tz)} to {other.end.astimezone(tz):%-I:%M %p}."
        )
    return None


def _require_working(
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
    working = working_intervals(
        location=location, therapist_ids=[therapist.pk], first=first, last=last
    )[therapist.pk]
    reason = (override_reason or "").strip()
    if reason and not has_role(by, ADMINISTRATOR):
        raise ValidationError({"override_reason": "Only an administrator may book outside hours."})
    if slots.fits(start, end, working):
        return ""
    if reason:
        return reason
    raise ValidationError(
        {
            "start": (
                f"{_fmt(start, tz)} is outside {location}'s clinic hours or {therapist}'s "
                "availability. An administrator may book it with a reason."
            )
        }
    )


def _require_authorized(
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


def _validate(
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
    # role_names() reads no roles of an inactive user: a visit of the past with a therapist
    # who has left asks their groups.
    is_therapist = has_role(therapist, THERAPIST) or (
        history
        and not therapist.is_active
        and User.objects.therapists().filter(pk=therapist.pk).exists()
    )
    if therapist.clinic_id != clinic.pk or not (therapist.is_active or history) or not is_therapist:
        errors["therapist"] = (
            "Choose a therapist of this clinic."
            if history
            else "Choose an active therapist of this clinic."
        )
    target = chart_case.case if chart_case is not None else case
    if target is None or target.clinic_id != clinic.pk:
        errors["chart_case"] = "Choose a case of this clinic."
    elif target.is_archived and not history:
        errors["chart_case"] = f"“{target.name}” is archived and cannot be booked."
    elif chart_case is not None and not chart_case.is_active and not history:
        errors["chart_case"] = f"“{target.name}” was discharged and cannot be booked."
    elif "therapist" not in errors and not case_fits_therapist(target, therapist):
        errors["chart_case"] = f"“{target.name}” is not a case of {therapist}'s service types."
    duration_error = _duration_error(duration_minutes)
    if duration_error:
        errors["duration_minutes"] = duration_error
    if start.tzinfo is None:
        errors["start"] = "Give the start with its time zone."
    elif history and start >= now:
        errors["start"] = "The start is not in the past: book it as a new appointment."
    elif start < now and not history:
        errors["start"] = "The start is in the past: choose a later time."
    return errors


@transaction.atomic
def appointment_book(
    *,
    clinic: Clinic,
    chart_case: PatientChartCase | None = None,
    therapist: User,
    location: Location,
    appointment_type: AppointmentType,
    start: datetime.datetime,
    duration_minutes: int,
    by: User,
    override_reason: str | None = None,
    patient: Patient | None = None,
    case: PatientCase | None = None,
    co_therapists: Sequence[User] = (),
    series: AppointmentSeries | None = None,
    source: str = "",
    authorization_override: str | None = None,
) -> Appointment:
    """Book one appointment (and one per co-therapist, for the same visit).

    Give ``chart_case``; or ``patient`` and ``case`` to book a case not yet on the patient's
    chart, which is then added to it in the same transaction. Raises ``ValidationError`` with
    messages keyed by field (``chart_case``, ``therapist``, ``location``,
    ``appointment_type``, ``start``, ``duration_minutes``, ``override_reason``,
    ``authorization_override``) and writes
    nothing when anything is wrong; ``PermissionDenied`` unless ``by`` is an administrator or
    scheduler. ``source`` (an import's file and line) goes in the audit entry."""
    _require_front_desk(by)
    if chart_case is not None:
        # Locked: a discharge running at the same moment waits for this booking, then sees it.
        chart_case = (
            PatientChartCase.objects.select_for_update()
            .select_related("case", "patient")
            .get(pk=chart_case.pk)
        )
        patient = chart_case.patient
    elif patient is None or case is None:
        raise ValidationError({"chart_case": "Choose a case."})
    therapists = [therapist, *[t for t in co_therapists if t.pk != therapist.pk]]
    errors = {}
    for each in therapists:
        found = _validate(
            clinic=clinic,
            chart_case=chart_case,
            case=case,
            therapist=each,
            location=location,
            appointment_type=appointment_type,
            start=start,
            duration_minutes=duration_minutes,
            now=clinic.now(),
        )
        errors = {**found, **errors}
    if patient.clinic_id != clinic.pk:
        errors["chart_case"] = "Choose a patient of this clinic."
    if len(therapists) > 1 and not set.intersection(
        *(set(t.service_types.values_list("pk", flat=True)) for t in therapists)
    ):
        errors["therapist"] = "Choose therapists of one service type."
    if errors:
        raise ValidationError(errors)
    end = start + datetime.timedelta(minutes=duration_minutes)
    tz = location.tzinfo
    reasons = set()
    for each in therapists:
        reasons.add(
            _require_working(
                location=location,
                therapist=each,
                start=start,
                end=end,
                by=by,
                override_reason=override_reason,
            )
        )
    over = _require_authorized(
        clinic=clinic,
        chart_case=chart_case,
        appointment_type=appointment_type,
        start=start,
        tz=tz,
        duration_minutes=duration_minutes,
        override=authorization_override,
    )
    if chart_case is None:
        chart_case = PatientChartCase.objects.filter(
            clinic_id=clinic.pk, patient=patient, case=case
        ).active().first() or chart_case_add(
            patient=patient, case=case, started_on=start.astimezone(tz).date(), by=by, booking=True
        )
    appointments = []
    visit = None
    for each in therapists:
        fields = {"visit": visit} if visit else {}
        appointment = _insert(
            clinic=clinic,
            chart_case=chart_case,
            patient=patient,
            therapist=each,
            location=location,
            appointment_type=appointment_type,
            start=start,
            end=end,
            duration_minutes=duration_minutes,
            series=series,
            override_reason=max(reasons, key=len),
            authorization_override=over,
            created_by=by,
            **fields,
        )
        visit = appointment.visit
        record(
            clinic_id=clinic.pk,
            actor=by,
            action="book",
            obj=appointment,
            object_type="appointment",
            patient=patient,
            parent=chart_case,
            details=(
                f"{chart_case.case.name} with {each} at {location}, "
                f"{_fmt(start, tz)}, {duration_minutes} min."
                + (f" Outside hours: {appointment.override_reason}" if reasons - {""} else "")
                + (f" Over the authorization: {over}" if over else "")
                + (f" {source}" if source else "")
            ),
        )
        appointment_changed.send(Appointment, appointment=appointment, change="booked")
        appointments.append(appointment)
    return appointments[0]


def _insert(
    *,
    clinic: Clinic,
    patient: Patient,
    therapist: User,
    location: Location,
    start: datetime.datetime,
    end: datetime.datetime,
    status: str = Appointment.Status.SCHEDULED,
    then: Callable[[Appointment], object] | None = None,
    **fields,
) -> Appointment:
    """Write one appointment under the no-overlap rule: the friendly check first, then the
    database's own (PostgreSQL's exclusion constraints, in a savepoint), either refusal a
    ``ValidationError`` on ``start``. Every path that adds an appointment comes through here.
    A cancelled appointment holds no time, so it clashes with nothing. ``then(appointment)``
    runs in the same savepoint (the audit entry: the two are written together or not at all)."""
    try:
        # The check inside the savepoint: called outside any transaction (as
        # ``appointment_record`` may be), this is where SQLite takes its write lock, and that
        # lock is all that keeps two writers' check-then-insert apart there.
        with transaction.atomic():
            if status not in Appointment.CANCELLED:
                message = _overlap_message(
                    clinic_id=clinic.pk,
                    therapist=therapist,
                    patient=patient,
                    start=start,
                    end=end,
                    tz=location.tzinfo,
                    visit=fields.get("visit"),
                )
                if message:
                    raise ValidationError({"start": message})
            appointment = Appointment.objects.create(
                clinic=clinic,
                patient=patient,
                therapist=therapist,
                location=location,
                start=start,
                end=end,
                status=status,
                **fields,
            )
            appointment.location = location
            if then is not None:
                then(appointment)
    except IntegrityError as error:
        raise ValidationError({"start": CLASH.format(who=f"{therapist} or {patient}")}) from error
    return appointment


def _lock(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update()
        .select_related("location", "patient", "therapist", "chart_case__case")
        .get(pk=appointment.pk)
    )


class StaleAppointment(ValidationError):
    """The appointment was changed after the screen was opened (views answer 409)."""


def _check_version(appointment: Appointment, expected_version: int | None) -> None:
    if expected_version is not None and appointment.version != expected_version:
        raise StaleAppointment(
            "Someone else changed this appointment after you opened it. Look at it again "
            "and repeat your change."
        )


def _require_unsettled(appointment: Appointment) -> None:
    if appointment.is_settled:
        raise ValidationError(
            f"This appointment is {appointment.get_status_display().lower()}: its date, "
            "time, patient and location no longer change."
        )


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    start: datetime.datetime,
    duration_minutes: int,
    location: Location | None = None,
    therapist: User | None = None,
    reason: str,
    by: User,
    override_reason: str | None = None,
    expected_version: int | None = None,
    authorization_override: str | None = None,
) -> Appointment:
    _require_front_desk(by)
    appointment = _lock(appointment)
    _check_version(appointment, expected_version)
    _require_unsettled(appointment)
    location = location or appointment.location
    therapist = therapist or appointment.therapist
    clinic = appointment.clinic
    errors = _validate(
        clinic=clinic,
        chart_case=appointment.chart_case,
        case=None,
        therapist=therapist,
        location=location,
        appointment_type=appointment.appointment_type,
        start=start,
        duration_minutes=duration_minutes,
        now=clinic.now(),
    )
    if not reason.strip():
        errors["reason"] = "Say why the appointment is moved."
    if errors:
        raise ValidationError(errors)
    end = start + datetime.timedelta(minutes=duration_minutes)
    override = _require_working(
        location=location,
        therapist=therapist,
        start=start,
        end=end,
        by=by,
        override_reason=override_reason,
    )
    tz = location.tzinfo
    over = _require_authorized(
        clinic=clinic,
        chart_case=appointment.chart_case,
        appointment_type=appointment.appointment_type,
        start=start,
        tz=tz,
        duration_minutes=duration_minutes,
        override=authorization_override,
        exclude_visit=appointment.visit,
    )
    message = _overlap_message(
        clinic_id=clinic.pk,
        therapist=therapist,
        patient=appointment.patient,
        start=start,
        end=end,
        tz=tz,
        exclude=[appointment.pk],
        visit=appointment.visit,
    )
    if message:
        raise ValidationError({"start": message})
    before = _describe(appointment)
    appointment.start, appointment.end = start, end
    appointment.duration_minutes = duration_minutes
    appointment.location, appointment.therapist = location, therapist
    appointment.override_reason = override
    # A confirmation was for the old time.
    appointment.patient_confirmed_at = None
    appointment.authorization_override = over
    appointment.version = F("version") + 1
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as error:
        raise ValidationError(
            {"start": CLASH.format(who=f"{therapist} or {appointment.patient}")}
        ) from error
    appointment.refresh_from_db(fields=["version"])
    record(
        clinic_id=clinic.pk,
        actor=by,
        action="reschedule",
        obj=appointment,
        object_type="appointment",
        patient=appointment.patient,
        parent=appointment.chart_case,
        changes=_diff(before, _describe(appointment)),
        details=reason.strip() + (f" Over the authorization: {over}" if over else ""),
    )
    appointment_changed.send(Appointment, appointment=appointment, change="moved")
    return appointment


def _describe(appointment: Appointment) -> dict[str, str]:
    tz = appointment.location.tzinfo
    return {
        "Start": _fmt(appointment.start, tz),
        "Duration": f"{appointment.duration_minutes} min",
        "Location": str(appointment.location),
        "Therapist": str(appointment.therapist),
        "Status": appointment.get_status_display(),
    }


def _diff(before, after):
    return diff(before, after)


@transaction.atomic
def appointment_cancel(
    *,
    appointment: Appointment,
    status: str,
    reason: str,
    by: User,
    expected_version: int | None = None,
) -> Appointment:
    _require_front_desk(by)
    appointment = _lock(appointment)
    _check_version(appointment, expected_version)
    if status not in Appointment.CANCELLED:
        raise ValidationError({"status": "Choose who cancelled."})
    _require_unsettled(appointment)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the appointment is cancelled."})
    before = _describe(appointment)
    appointment.status = status
    appointment.cancel_reason = reason.strip()[:300]
    appointment.version = F("version") + 1
    appointment.save(update_fields=["status", "cancel_reason", "version"])
    appointment.refresh_from_db(fields=["version"])
    record(
        clinic_id=appointment.clinic_id,
        actor=by,
        action="cancel",
        obj=appointment,
        object_type="appointment",
        patient=appointment.patient,
        parent=appointment.chart_case,
        changes=_diff(before, _describe(appointment)),
        details=appointment.cancel_reason,
    )
    appointment_changed.send(Appointment, appointment=appointment, change="cancelled")
    return appointment


# The statuses each status may move to with ``appointment_set_status`` (cancelling has its own
# service, with a reason).
TRANSITIONS = {
    Appointment.Status.SCHEDULED: {
        Appointment.Status.CHECKED_IN,
        Appointment.Status.COMPLETED,
        Appointment.Status.NO_SHOW,
    },
    Appointment.Status.CHECKED_IN: {Appointment.Status.COMPLETED},
}
THERAPIST_MAY_SET = {Appointment.Status.CHECKED_IN, Appointment.Status.COMPLETED}


def may_set_status(user: User, appointment: Appointment, status: str) -> bool:
    if has_role(user, ADMINISTRATOR, SCHEDULER):
        return True
    return (
        has_role(user, THERAPIST)
        and appointment.therapist_id == user.pk
        and status in THERAPIST_MAY_SET
    )


@transaction.atomic
def appointment_set_status(
    *, appointment: Appointment, status: str, by: User, expected_version: int | None = None
) -> Appointment:
    """Check in, complete or mark a no-show. Therapists may check in and complete their own."""
    appointment = _lock(appointment)
    if not may_set_status(by, appointment, status):
        raise PermissionDenied
    _check_version(appointment, expected_version)
    if status not in TRANSITIONS.get(appointment.status, set()):
        raise ValidationError(
            {
                "status": f"A {appointment.get_status_display().lower()} appointment cannot "
                f"become {Appointment.Status(status).label.lower()}."
                if status in Appointment.Status.values
                else "Choose a status."
            }
        )
    before = _describe(appointment)
    appointment.status = status
    appointment.version = F("version") + 1
    appointment.save(update_fields=["status", "version"])
    appointment.refresh_from_db(fields=["version"])
    record(
        clinic_id=appointment.clinic_id,
        actor=by,
        action="status",
        obj=appointment,
        object_type="appointment",
        patient=appointment.patient,
        parent=appointment.chart_case,
        changes=_diff(before, _describe(appointment)),
    )
    return appointment
