"""Weekly series: each occurrence is its own appointment, booked through
``appointment_book``; a series is expanded with dateutil's rrule on the location's wall clock,
so it keeps its hour across daylight-saving changes."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil import rrule
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from cases.models import PatientCase
from charts.models import Patient, PatientChartCase
from clinic.models import AppointmentType, Clinic
from core.audit import record
from insurance.stored import recount_once
from scheduling import slots
from scheduling.models import Appointment, AppointmentSeries, Location
from scheduling.services.booking import MAX_OCCURRENCES, appointment_book
from scheduling.services.checks import require_front_desk, when_text
from scheduling.services.lifecycle import (
    appointment_cancel,
    appointment_reschedule,
    check_version,
    lock_appointment,
)

# Series -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesRule:
    """Every ``interval`` weeks on ``weekdays`` (0 = Monday) at the first start's wall-clock
    time, until ``until`` (a local date) or for ``count`` occurrences."""

    interval: int
    weekdays: tuple[int, ...]
    until: datetime.date | None = None
    count: int | None = None

    def as_rrule(self, first: datetime.datetime) -> str:
        days = ",".join(["MO", "TU", "WE", "TH", "FR", "SA", "SU"][d] for d in self.weekdays)
        parts = [f"FREQ=WEEKLY;INTERVAL={self.interval};BYDAY={days}"]
        if self.count:
            parts.append(f"COUNT={self.count}")
        if self.until:
            parts.append(f"UNTIL={self.until:%Y%m%d}T235959")
        return f"DTSTART:{first:%Y%m%dT%H%M%S}\nRRULE:{';'.join(parts)}"


def series_starts(
    *, rule: SeriesRule, first: datetime.datetime, tz: ZoneInfo
) -> list[datetime.datetime]:
    """The occurrences' starts (aware, UTC): wall-clock times of ``tz``, so a series keeps its
    hour across a daylight-saving change. At most ``MAX_OCCURRENCES + 1`` (one more than
    allowed, so that a caller can tell a series is too long)."""
    local_first = first.astimezone(tz).replace(tzinfo=None)
    rule_set = rrule.rrulestr(rule.as_rrule(local_first))
    starts = []
    for occurrence in rule_set:
        starts.append(slots.wall(occurrence.date(), occurrence.time(), tz))
        if len(starts) > MAX_OCCURRENCES:
            break
    return starts


@dataclass
class Occurrence:
    start: datetime.datetime
    problem: str = ""


def series_preview(
    *,
    clinic: Clinic,
    chart_case: PatientChartCase | None,
    patient: Patient | None = None,
    case: PatientCase | None = None,
    therapist: User,
    location: Location,
    appointment_type: AppointmentType,
    start: datetime.datetime,
    duration_minutes: int,
    rule: SeriesRule,
    by: User,
    override_reason: str | None = None,
    authorization_override: str | None = None,
) -> list[Occurrence]:
    """Each occurrence and why it cannot be booked ("" when it can), by trying every booking
    and rolling all of them back."""
    booking = {
        "clinic": clinic,
        "chart_case": chart_case,
        "patient": patient,
        "case": case,
        "therapist": therapist,
        "location": location,
        "appointment_type": appointment_type,
        "duration_minutes": duration_minutes,
        "by": by,
        "override_reason": override_reason,
        "authorization_override": authorization_override,
    }
    occurrences = []

    class _RollBack(Exception):
        pass

    try:
        with transaction.atomic():
            for each in _starts(rule, start, location):
                problem = ""
                try:
                    with transaction.atomic():
                        appointment_book(**booking, start=each)
                except ValidationError as error:
                    problem = " ".join(error.messages)
                occurrences.append(Occurrence(each, problem))
            raise _RollBack
    except _RollBack:
        pass
    return occurrences


def _starts(rule: SeriesRule, start: datetime.datetime, location: Location):
    """The series' starts, refused when there are more than ``MAX_OCCURRENCES``."""
    starts = series_starts(rule=rule, first=start, tz=location.tzinfo)
    if len(starts) > MAX_OCCURRENCES:
        raise ValidationError(
            {"count": f"A series has at most {MAX_OCCURRENCES} occurrences; this one has more."}
        )
    return starts


def _describe_rule(rule, start, location) -> str:
    """ "every week on Tue, Thu from Thu Nov 26, 2026 4:00 PM, 8 times" """
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    days = ", ".join(names[day] for day in rule.weekdays)
    every = "every week" if rule.interval == 1 else f"every {rule.interval} weeks"
    end = f", {rule.count} times" if rule.count else ""
    if rule.until:
        end = f", until {rule.until:%b %-d, %Y}"
    return f"{every} on {days} from {when_text(start, location.tzinfo)}{end}"


@transaction.atomic
@recount_once()
def series_book(
    *,
    clinic: Clinic,
    chart_case: PatientChartCase | None,
    patient: Patient | None = None,
    case: PatientCase | None = None,
    therapist: User,
    location: Location,
    appointment_type: AppointmentType,
    start: datetime.datetime,
    duration_minutes: int,
    rule: SeriesRule,
    by: User,
    skip_conflicts: bool = False,
    override_reason: str | None = None,
    authorization_override: str | None = None,
) -> tuple[AppointmentSeries, list[Occurrence]]:
    """Book every occurrence of a weekly series, each through ``appointment_book``. With
    ``skip_conflicts`` the occurrences that cannot be booked are left out (and returned with
    their reason); without it, any such occurrence refuses the whole series."""
    require_front_desk(by)
    starts = _starts(rule, start, location)
    series = AppointmentSeries.objects.create(
        clinic=clinic, rrule=rule.as_rrule(start.astimezone(location.tzinfo)), created_by=by
    )
    booking = {
        "clinic": clinic,
        "patient": patient,
        "case": case,
        "therapist": therapist,
        "location": location,
        "appointment_type": appointment_type,
        "duration_minutes": duration_minutes,
        "by": by,
        "override_reason": override_reason,
        "authorization_override": authorization_override,
        "series": series,
    }
    skipped, booked = [], 0
    for each in starts:
        try:
            with transaction.atomic():
                chart_case = appointment_book(
                    **booking, chart_case=chart_case, start=each
                ).chart_case
                booked += 1
        except ValidationError as error:
            if not skip_conflicts:
                raise ValidationError(
                    {"start": f"{when_text(each, location.tzinfo)}: " + " ".join(error.messages)}
                ) from error
            skipped.append(Occurrence(each, " ".join(error.messages)))
    if not booked:
        raise ValidationError({"start": "None of the series' dates can be booked."})
    record(
        clinic_id=clinic.pk,
        actor=by,
        action="book",
        obj=series,
        object_type="appointment series",
        patient=chart_case.patient,
        parent=chart_case,
        details=f"{booked} booked, {len(skipped)} skipped: "
        f"{_describe_rule(rule, start, location)}.",
    )
    return series, skipped


@transaction.atomic
@recount_once()
def series_cancel(
    *,
    appointment: Appointment,
    following: bool,
    status: str,
    reason: str,
    by: User,
    expected_version: int | None = None,
) -> int:
    """Cancel this appointment, or this and the series' later ones that are still scheduled.
    Returns how many were cancelled. ``expected_version`` is the appointment's as its screen
    showed it: a screen someone else's change made stale raises ``StaleAppointment``."""
    require_front_desk(by)
    check_version(lock_appointment(appointment), expected_version)
    targets = _targets(appointment, following)
    for target in targets:
        appointment_cancel(appointment=target, status=status, reason=reason, by=by)
    return len(targets)


@transaction.atomic
@recount_once()
def series_reschedule(
    *,
    appointment: Appointment,
    following: bool,
    start: datetime.datetime,
    duration_minutes: int,
    reason: str,
    by: User,
    override_reason: str | None = None,
    authorization_override: str | None = None,
    expected_version: int | None = None,
    therapist: User | None = None,
    location: Location | None = None,
) -> int:
    """Move this appointment, or this and the series' later scheduled ones by the same
    wall-clock shift (so each keeps its place in its own week across a time change), and to
    ``therapist`` and ``location`` when given. All or nothing. ``expected_version`` as for
    ``series_cancel``."""
    require_front_desk(by)
    check_version(lock_appointment(appointment), expected_version)
    tz = appointment.location.tzinfo
    shift = _wall(start, tz) - _wall(appointment.start, tz)
    # Free every target first, so that moving one into another's old time is not a clash.
    moves = []
    for target in _targets(appointment, following):
        local = _wall(target.start, tz) + shift
        moves.append((target, slots.wall(local.date(), local.time(), tz)))
    for target, new_start in sorted(moves, key=lambda move: move[1], reverse=shift.days >= 0):
        try:
            appointment_reschedule(
                appointment=target,
                start=new_start,
                duration_minutes=duration_minutes,
                reason=reason,
                by=by,
                override_reason=override_reason,
                therapist=therapist,
                location=location,
                authorization_override=authorization_override,
            )
        except ValidationError as error:
            raise ValidationError(
                {"start": f"{when_text(new_start, tz)}: " + " ".join(error.messages)}
            ) from error
    return len(moves)


def _targets(appointment: Appointment, following: bool) -> list[Appointment]:
    """The appointment, or with ``following`` it and the series' later ones still scheduled."""
    if not (following and appointment.series_id):
        return [appointment]
    return list(
        Appointment.objects.filter(
            clinic_id=appointment.clinic_id,
            series_id=appointment.series_id,
            start__gte=appointment.start,
            status=Appointment.Status.SCHEDULED,
        )
        .select_related("location")
        .order_by("start")
    )


def _wall(moment: datetime.datetime, tz) -> datetime.datetime:
    """The naive wall-clock time of ``moment`` in ``tz``."""
    return moment.astimezone(tz).replace(tzinfo=None)
