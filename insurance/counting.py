"""What is left of an authorization: the one rule, used by every screen, service, report,
import and test.

A visit (one per co-treatment: the rows sharing ``Appointment.visit`` are one visit) counts
against the authorization of its chart case that covers its local date and its appointment
type, the one ending first when several do (``authorization_of``), and against that
authorization's shared limit, if any. Booked (scheduled) visits count as *booked*; checked-in
and completed ones as *used*; cancelled ones never; no-shows as *used* only when the clinic
says so. The count is made from the visits, so an authorization added or changed later counts
the visits already in its dates (retroactive). Its result per authorization is also stored
(``Authorization.used``/``booked``/``remaining``/``override_reasons``, written only by
``store``, from ``tally``) so that the report can filter and page its lists in the database:
every write that changes a count recounts the chart cases it touched in its own transaction
(``recount``; ``insurance.apps`` connects the writes).

The visits are appointments, which live in ``scheduling`` above this app. Insurance reads their
table through ``apps.get_model`` (``appointment_model``) rather than importing scheduling: the
dependency is on a table's columns, the import order stays one way, and scheduling asks this
module before it books (``booking_problems``). docs/architecture.md says why.

``tally`` is pure (plain values in, counts out) so that the property test can check it against
an independent count; ``usage`` gathers its inputs in five queries for any number of
authorizations.
"""

import datetime
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.apps import apps
from django.db.models import Q

from insurance.models import Authorization, AuthorizationType, InsuranceSettings, SharedLimit

NEW = "new"  # the key of a visit being booked, not yet written


def units_of(minutes: int) -> int:
    """15-minute units of a visit by the 8-minute rule: none under 8 minutes."""
    return (minutes + 7) // 15 if minutes >= 8 else 0


# Plain values made by the thousand for a report (slots, not frozen: a frozen dataclass is four
# times slower to make, bench/).
@dataclass(slots=True)
class Visit:
    key: object  # the appointment's visit (a UUID; rows sharing it are one co-treatment), or NEW
    chart_case_id: int
    date: datetime.date
    appointment_type_id: int
    minutes: int
    status: str
    override: str = ""  # why it was booked over or outside the authorizations


@dataclass(slots=True)
class Grant:
    """An authorization as plain values."""

    pk: int
    chart_case_id: int
    first_date: datetime.date
    last_date: datetime.date
    unit: str
    quantity: int
    type_ids: frozenset = frozenset()  # empty: every appointment type
    cap_period: str = ""
    cap: int | None = None
    shared_limit_id: int | None = None
    label: str = ""
    requires_authorization: bool = True

    def covers(self, visit: Visit) -> bool:
        return (
            visit.chart_case_id == self.chart_case_id
            and self.first_date <= visit.date <= self.last_date
            and (not self.type_ids or visit.appointment_type_id in self.type_ids)
        )

    def amount(self, visit: Visit) -> int:
        return 1 if self.unit == Authorization.Unit.VISITS else units_of(visit.minutes)

    def period(self, day: datetime.date) -> tuple:
        if self.cap_period == Authorization.CapPeriod.WEEK:
            return tuple(day.isocalendar())[:2]
        return (day.year, day.month)


@dataclass
class Tally:
    authorized: int
    used: int = 0
    booked: int = 0

    @property
    def left(self) -> int:
        return self.authorized - self.used - self.booked

    def __str__(self) -> str:
        return (
            f"{self.authorized} authorized · {self.used} used · {self.booked} booked · "
            f"{self.left} left"
        )


@dataclass
class Counts:
    authorizations: dict[int, Tally] = field(default_factory=dict)
    shared: dict[int, Tally] = field(default_factory=dict)
    # visit key -> the authorization it counts against
    assigned: dict[str, int] = field(default_factory=dict)
    # (authorization, period) -> what the visits of that week or month add up to
    periods: dict[tuple, int] = field(default_factory=lambda: defaultdict(int))
    # authorization -> the override reasons of the visits counted against it
    reasons: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


def authorization_of(grants: Iterable[Grant], visit: Visit) -> Grant | None:
    covering = [grant for grant in grants if grant.covers(visit)]
    return min(covering, key=lambda grant: (grant.last_date, grant.pk), default=None)


def tally(
    *,
    grants: list[Grant],
    shared: dict[int, int],
    visits: Iterable[Visit],
    count_no_shows: bool,
    statuses: dict[str, str],
) -> Counts:
    """The counts of every grant and shared limit. ``statuses`` says what each appointment
    status is: "used", "booked", "no_show" or anything else (not counted)."""
    counts = Counts(
        authorizations={grant.pk: Tally(grant.quantity) for grant in grants},
        shared={pk: Tally(quantity) for pk, quantity in shared.items()},
    )
    by_case = defaultdict(list)
    for grant in grants:
        by_case[grant.chart_case_id].append(grant)
    for visit in visits:
        kind = statuses.get(visit.status)
        if kind == "no_show":
            kind = "used" if count_no_shows else None
        if kind not in ("used", "booked"):
            continue
        grant = authorization_of(by_case[visit.chart_case_id], visit)
        if grant is None:
            continue
        amount = grant.amount(visit)
        counts.assigned[visit.key] = grant.pk
        if visit.override:
            counts.reasons[grant.pk].append(visit.override)
        targets = [counts.authorizations[grant.pk]]
        if grant.shared_limit_id in counts.shared:
            targets.append(counts.shared[grant.shared_limit_id])
        for target in targets:
            setattr(target, kind, getattr(target, kind) + amount)
        if grant.cap_period:
            counts.periods[(grant.pk, grant.period(visit.date))] += amount
    return counts


# Reading the inputs -----------------------------------------------------------------------


def appointment_model():
    return apps.get_model("scheduling", "Appointment")


def statuses() -> dict[str, str]:
    Status = appointment_model().Status
    return {
        Status.SCHEDULED: "booked",
        Status.CHECKED_IN: "used",
        Status.COMPLETED: "used",
        Status.NO_SHOW: "no_show",
    }


def settings_for(clinic_id: int) -> InsuranceSettings:
    """The clinic's settings row, or the defaults (unsaved) until one is saved."""
    return InsuranceSettings.objects.filter(clinic_id=clinic_id).first() or InsuranceSettings(
        clinic_id=clinic_id
    )


def grants(clinic_id: int, where: Q, *, lock: bool = False) -> list[Grant]:
    """The authorizations matching ``where`` as plain values; ``lock``: under
    ``SELECT ... FOR UPDATE`` in the order of their ids (so two bookings never wait on each
    other crosswise), with their shared limits."""
    rows = Authorization.objects.filter(where, clinic_id=clinic_id).order_by("pk")
    if lock:
        rows = rows.select_for_update(of=("self",))
    values = list(
        rows.values(
            "pk",
            "chart_case_id",
            "first_date",
            "last_date",
            "unit",
            "quantity",
            "cap_period",
            "cap",
            "shared_limit_id",
            "number",
            "payer__name",
            "payer__requires_authorization",
        )
    )
    types = defaultdict(set)
    if values:
        for authorization_id, type_id in AuthorizationType.objects.filter(
            clinic_id=clinic_id, authorization_id__in=[row["pk"] for row in values]
        ).values_list("authorization_id", "appointment_type_id"):
            types[authorization_id].add(type_id)
    return [
        Grant(
            pk=row["pk"],
            chart_case_id=row["chart_case_id"],
            first_date=row["first_date"],
            last_date=row["last_date"],
            unit=row["unit"],
            quantity=row["quantity"],
            type_ids=frozenset(types[row["pk"]]),
            cap_period=row["cap_period"],
            cap=row["cap"],
            shared_limit_id=row["shared_limit_id"],
            label=f"{row['payer__name']} #{row['number']}",
            requires_authorization=row["payer__requires_authorization"],
        )
        for row in values
    ]


def _shared(clinic_id: int, ids: set[int], *, lock: bool) -> dict[int, int]:
    if not ids:
        return {}
    rows = SharedLimit.objects.filter(clinic_id=clinic_id, pk__in=ids).order_by("pk")
    if lock:
        rows = rows.select_for_update()
    return dict(rows.values_list("pk", "quantity"))


def visits(clinic_id: int, grant_list: list[Grant], *, exclude_visit=None) -> list[Visit]:
    """The visits (not cancelled) of the grants' chart cases within their dates, one per
    co-treatment, dated on their location's clock."""
    if not grant_list:
        return []
    Appointment = appointment_model()
    first = min(grant.first_date for grant in grant_list) - datetime.timedelta(days=1)
    last = max(grant.last_date for grant in grant_list) + datetime.timedelta(days=2)
    rows = (
        Appointment.objects.filter(
            clinic_id=clinic_id,
            chart_case_id__in={grant.chart_case_id for grant in grant_list},
            start__gte=datetime.datetime.combine(first, datetime.time(), datetime.UTC),
            start__lt=datetime.datetime.combine(last, datetime.time(), datetime.UTC),
        )
        .exclude(status__in=Appointment.CANCELLED)
        .order_by("start", "pk")
        .values_list(
            "visit",
            "chart_case_id",
            "start",
            "location__time_zone",
            "appointment_type_id",
            "duration_minutes",
            "status",
            "authorization_override",
        )
    )
    found, zones = {}, {}
    excluded = uuid.UUID(str(exclude_visit)) if exclude_visit is not None else None
    for key, chart_case_id, start, zone, type_id, minutes, status, override in rows:
        if key in found or key == excluded:
            continue
        tz = zones.get(zone) or zones.setdefault(zone, zoneinfo.ZoneInfo(zone))
        day = start.astimezone(tz).date()
        found[key] = Visit(key, chart_case_id, day, type_id, minutes, status, override)
    return list(found.values())


@dataclass
class Usage:
    grants: list[Grant]
    counts: Counts
    settings: InsuranceSettings

    def of(self, pk: int) -> Tally:
        return self.counts.authorizations[pk]

    def shared(self, pk: int) -> Tally:
        return self.counts.shared[pk]


def usage(
    clinic_id: int,
    where: Q,
    *,
    lock: bool = False,
    extra: Iterable[Visit] = (),
    exclude_visit=None,
    settings: InsuranceSettings | None = None,
) -> Usage:
    """The counts of the authorizations matching ``where`` (and of every other authorization
    of their patients, which their shared limits may draw on too). ``extra``: visits not yet
    written; ``exclude_visit``: a visit being moved, counted only at its new place."""
    # Every authorization of the patients concerned: a shared limit draws on several chart
    # cases. Locked in one statement, in id order, so two bookings never wait crosswise.
    patients = Authorization.objects.filter(where, clinic_id=clinic_id).values("patient_id")
    grant_list = grants(clinic_id, Q(patient_id__in=patients), lock=lock)
    if not grant_list:
        return Usage([], Counts(), settings or InsuranceSettings(clinic_id=clinic_id))
    limits = _shared(clinic_id, {g.shared_limit_id for g in grant_list} - {None}, lock=lock)
    settings = settings or settings_for(clinic_id)
    counts = tally(
        grants=grant_list,
        shared=limits,
        visits=[*visits(clinic_id, grant_list, exclude_visit=exclude_visit), *extra],
        count_no_shows=settings.count_no_shows,
        statuses=statuses(),
    )
    return Usage(grant_list, counts, settings)


# Booking ----------------------------------------------------------------------------------


@dataclass
class Verdict:
    problems: list[str]
    # What is left for the visit's chart case, one line per authorization covering it.
    summary: list[str]


def booking_problems(
    *,
    clinic_id: int,
    chart_case_id: int,
    date: datetime.date,
    appointment_type_id: int,
    minutes: int,
    exclude_visit=None,
) -> Verdict:
    """Why a visit on ``date`` would be over or outside the chart case's authorizations (none:
    within, or the case has none). Locks the authorization rows and their shared limits, so
    call it inside the booking's transaction: of two bookings of the last visit, the second
    waits for the first to commit and then counts it."""
    visit = Visit(NEW, chart_case_id, date, appointment_type_id, minutes, "scheduled")
    after = usage(
        clinic_id,
        Q(chart_case_id=chart_case_id),
        lock=True,
        extra=[visit],
        exclude_visit=exclude_visit,
    )
    own = [grant for grant in after.grants if grant.chart_case_id == chart_case_id]
    grant = authorization_of(own, visit)
    if grant is None:
        needed = [g for g in own if g.requires_authorization]
        problems = (
            [f"No authorization of this case covers this visit on {date:%b %-d, %Y}."]
            if needed
            else []
        )
        return Verdict(problems, [f"{g.label}: {after.of(g.pk)}" for g in own])
    amount = grant.amount(visit)
    before = _without(after.of(grant.pk), amount)
    problems = []
    if after.of(grant.pk).left < 0:
        problems.append(f"{grant.label} has {before.left} left ({before}).")
    if grant.shared_limit_id and after.shared(grant.shared_limit_id).left < 0:
        shared_before = _without(after.shared(grant.shared_limit_id), amount)
        problems.append(f"The shared limit has {shared_before.left} left ({shared_before}).")
    if grant.cap_period and after.counts.periods[(grant.pk, grant.period(date))] > grant.cap:
        problems.append(f"{grant.label} allows at most {grant.cap} {grant.cap_period}ly.")
    return Verdict(problems, [f"{grant.label}: {before}"])


def _without(counted: Tally, amount: int) -> Tally:
    return replace(counted, booked=counted.booked - amount)


def chart_case_summary(*, clinic_id: int, chart_case_id: int, patient_id: int) -> list[str]:
    """ "Aetna #A1: 12 authorized · 3 used · 7 booked · 2 left" for each authorization of the
    chart case still running, shown on the booking form before saving."""
    found = usage(clinic_id, Q(chart_case_id=chart_case_id, patient_id=patient_id))
    return [
        f"{grant.label}: {found.of(grant.pk)}"
        for grant in found.grants
        if grant.chart_case_id == chart_case_id
    ]


# The portal -------------------------------------------------------------------------------


def closed_to_requests(*, clinic_id: int, chart_case_ids, today: datetime.date) -> set[int]:
    """The chart cases a patient may not request a visit on: unless the clinic allows it
    (``InsuranceSettings.portal_requests_past_authorization``), those whose every
    authorization (of a payer that needs one) is used up or has ended. A case without
    authorizations stays open."""
    ids = set(chart_case_ids)
    if not ids:
        return set()
    # One query when the cases have no authorizations (the portal's usual case); the settings
    # row only when they have some.
    found = usage(clinic_id, Q(chart_case_id__in=ids))
    if not found.grants or found.settings.portal_requests_past_authorization:
        return set()
    by_case = defaultdict(list)
    for grant in found.grants:
        if grant.chart_case_id in ids and grant.requires_authorization:
            by_case[grant.chart_case_id].append(grant)
    return {
        chart_case_id
        for chart_case_id, own in by_case.items()
        if all(grant.last_date < today or found.of(grant.pk).left <= 0 for grant in own)
    }
