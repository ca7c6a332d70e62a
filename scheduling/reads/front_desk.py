"""The front desk's part of the patient page: who may be called and who uses the portal, the
patient's upcoming and recent visits, pending requests, and the open chart cases with what
each allows. Each list is one query through the model's own ``visible_to`` (a therapist sees
their own visits only, and no requests or portal users)."""

import datetime
import zoneinfo
from typing import NamedTuple

from accounts.models import User
from cases.models import AppointmentTypeRule
from charts.models import Patient, PatientChartCase
from core.roles import ADMINISTRATOR, SCHEDULER, has_role
from core.sql import user_name
from scheduling import slots
from scheduling.models import Appointment, AppointmentRequest
from scheduling.reads.availability import bookable_slots
from scheduling.reads.free_times import FreeTime, free_starts

UPCOMING = 10
RECENT = 5
SUGGEST_DAYS = 14  # how far past the day a visit nobody can take then is looked for


# The columns the panel shows (scheduling/includes/front_desk.html) as plain rows: a visit's
# or request's time in its location's zone, type, case, therapist and location. Model rows
# with their six tables joined (``for_display``) took twice the Python to build, compile and
# load (the panel was a third of the chart page); the labels are the models' own.
_SHOWN = (
    "pk",
    "start",
    "appointment_type__name",
    "chart_case__case__name",
    "location__name",
    "location__time_zone",
)
_VISIT = (*_SHOWN, "status", "therapist__first_name", "therapist__last_name", "therapist__email")
_VISIT_STATUSES = dict(Appointment.Status.choices)


def _shown(row: dict) -> dict:
    """A visit or request row as the panel shows it: ``local_start`` as the models' own (the
    start in the location's zone), the names of its type, case and location, and for a
    visit its therapist (``User.__str__``) and status label."""
    shown = {
        "pk": row["pk"],
        "local_start": row["start"].astimezone(zoneinfo.ZoneInfo(row["location__time_zone"])),
        "appointment_type": row["appointment_type__name"],
        "case_name": row["chart_case__case__name"],
        "location": row["location__name"],
    }
    if "status" in row:
        shown["status"] = _VISIT_STATUSES.get(row["status"], row["status"])
        shown["therapist"] = user_name(
            row["therapist__first_name"], row["therapist__last_name"], row["therapist__email"]
        )
    return shown


def patient_desk(patient: Patient, user: User) -> dict:
    """Six queries for the front desk (five when no case is open), two for a therapist,
    whatever the patient's history."""
    now = user.clinic.now()
    visits = Appointment.objects.visible_to(user).filter(patient=patient)
    desk = {
        "front_desk": has_role(user, ADMINISTRATOR, SCHEDULER),
        "upcoming": [
            _shown(row)
            for row in visits.filter(start__gte=now)
            .order_by("start", "pk")
            .values(*_VISIT)[:UPCOMING]
        ],
        "recent": [
            _shown(row)
            for row in visits.filter(start__lt=now)
            .order_by("-start", "-pk")
            .values(*_VISIT)[:RECENT]
        ],
        "requests": [],
        "portal_users": [],
        "chart_cases": [],
    }
    if not desk["front_desk"]:
        return desk
    desk["requests"] = [
        _shown(row)
        for row in AppointmentRequest.objects.visible_to(user)
        .pending()
        .filter(patient=patient)
        .order_by("start", "pk")
        .values(*_SHOWN)
    ]
    # Portal links belong to the portal app above this one: named, not imported.
    desk["portal_users"] = list(
        User.objects.for_clinic(patient.clinic_id)
        .filter(portal_links__patient=patient, is_active=True)
        .values("first_name", "last_name", "email", "portal_links__relationship")
        .order_by("last_name", "first_name", "pk")
    )
    desk["chart_cases"] = _bookable(patient)
    return desk


def _bookable(patient: Patient) -> list[dict]:
    """The patient's open chart cases of cases still offered, by name, each with what its case
    lets families request (``requestable()``, one query for every case)."""
    chart_cases = list(
        PatientChartCase.objects.for_clinic(patient.clinic_id)
        .filter(patient=patient)
        .bookable()
        .order_by("case__name", "pk")
        .values("pk", "case_id", "case__name")
    )
    allowed = {cc["case_id"]: [] for cc in chart_cases}
    rows = (
        AppointmentTypeRule.objects.for_clinic(patient.clinic_id)
        .filter(case_id__in=list(allowed))
        .requestable()
        .order_by("appointment_type__name", "pk")
        .values_list("case_id", "appointment_type__name", "duration_minutes")
    )
    for case_id, type_name, minutes in rows:
        allowed[case_id].append((type_name, minutes))
    return [
        {"pk": cc["pk"], "name": cc["case__name"], "requestable": allowed[cc["case_id"]]}
        for cc in chart_cases
    ]


class DayVisit(NamedTuple):
    """A visit of the day being moved: the other therapists free at its very time, and when
    nobody is, the next free time someone who can take its case has (else None)."""

    visit: Appointment
    free: list[User]
    suggestion: FreeTime | None = None


def day_to_move(therapist: User, day, now) -> list[DayVisit]:
    """A therapist's scheduled visits of ``day`` (the clinic's wall clock), each with the
    other therapists who may take its case and are free at its very time (``bookable_slots``
    over that day, one call per location and length; the patient is not counted busy: the
    visit being moved is theirs), and for a visit nobody can take then, ``next_free_time``
    (two queries more for each such visit)."""
    tz = therapist.clinic.tzinfo
    first, last = slots.day_bounds(day, tz)
    visits = list(
        Appointment.objects.for_clinic(therapist.clinic_id)
        .filter(therapist=therapist, status=Appointment.Status.SCHEDULED)
        .filter(start__gte=max(first, now), start__lt=last)
        .for_display()
        .order_by("start", "pk")
    )
    takers = {}
    for visit in visits:
        if visit.chart_case.case_id not in takers:
            takers[visit.chart_case.case_id] = list(
                User.objects.who_may_take(visit.chart_case.case)
            )
    others = {
        case_id: [t for t in found if t.pk != therapist.pk] for case_id, found in takers.items()
    }
    free = _free_at_their_time(visits, others, first=first, last=last, now=now)
    rows, suggested = [], []  # (therapist pk, (start, end)) of the times suggested so far
    for visit in visits:
        at_time = [t for t in others[visit.chart_case.case_id] if t.pk in free[visit.pk]]
        suggestion = None
        if not at_time:
            suggestion = next_free_time(
                visit,
                takers[visit.chart_case.case_id],
                out=therapist,
                day=(first, last),
                now=now,
                suggested=suggested,
            )
        if suggestion is not None:
            start = slots.absolute(suggestion.start)
            end = start + datetime.timedelta(minutes=visit.duration_minutes)
            suggested.append((suggestion.therapist.pk, (start, end)))
        rows.append(DayVisit(visit, at_time, suggestion))
    return rows


def _free_at_their_time(visits, others, *, first, last, now) -> dict[int, set]:
    """For each visit, the therapists (pks) of ``others`` free for it at its time: one
    ``bookable_slots`` call per location and length over the day, the patient not counted."""
    free: dict[tuple, dict[int, set]] = {}
    for visit in visits:
        key = (visit.location_id, visit.duration_minutes)
        if key in free:
            continue
        ids = sorted({t.pk for v in visits for t in others[v.chart_case.case_id]})
        starts = bookable_slots(
            location=visit.location,
            therapist_ids=ids,
            patient_id=None,
            duration=datetime.timedelta(minutes=visit.duration_minutes),
            now=now,
            notice=max(first - now, datetime.timedelta(0)),
            horizon=last - now,
            step=datetime.timedelta(minutes=5),
        )
        free[key] = {pk: set(found) for pk, found in starts.items()}
    return {
        visit.pk: {
            pk
            for pk, found in free[(visit.location_id, visit.duration_minutes)].items()
            if visit.start in found
        }
        for visit in visits
    }


def next_free_time(
    visit: Appointment,
    therapists: list[User],
    *,
    out: User,
    day: slots.Interval,
    now: datetime.datetime,
    suggested: list[tuple[int, slots.Interval]] = (),
) -> FreeTime | None:
    """The earliest time the free-time finder offers for ``visit``'s patient, case, location
    and length (``free_starts``, the finder's and the portal's rule) with any of
    ``therapists``, from the start of ``day`` (or now) over the next ``SUGGEST_DAYS`` days:
    ``out``, the therapist whose day is moved, from the day after; a time overlapping one
    already ``suggested`` for the same therapist (another visit of the day) is passed over.
    Ties go to the therapist first by name. Two queries."""
    tz = visit.location.tzinfo
    length = datetime.timedelta(minutes=visit.duration_minutes)
    starts = free_starts(
        chart_case=visit.chart_case,
        location=visit.location,
        duration_minutes=visit.duration_minutes,
        therapist_ids=[t.pk for t in therapists],
        earliest=max(day[0], now),
        latest=day[1] + datetime.timedelta(days=SUGGEST_DAYS),
        now=now,
    )
    found = []
    for therapist in therapists:
        after = day[1] if therapist.pk == out.pk else now
        taken = [interval for pk, interval in suggested if pk == therapist.pk]
        start = next(
            (
                start
                for start in starts.get(therapist.pk, ())
                if start >= after
                and not any(slots.overlaps((start, start + length), t) for t in taken)
            ),
            None,
        )
        if start is not None:
            found.append((start, (therapist.last_name, therapist.first_name, therapist.pk)))
    if not found:
        return None
    start, (*_, pk) = min(found)
    return FreeTime(start.astimezone(tz), next(t for t in therapists if t.pk == pk))
