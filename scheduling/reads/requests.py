"""The request queue's and a request page's reads: the rules' querysets (``live``,
``overdue``, ``who_may_take``, ``active``, ``not_cancelled``, ``overlapping``) shaped for the
pages with ``values()``, an ``Exists`` and a ``Subquery``, so that a page builds no model
object and reads each thing once:

- a page of the queue is one query (``core.pagination.counted_page``: the rows carry the
  length of the list), and the therapists' calendars around its requests one more;
- a request's page is its row, the clinic's live requests counted with whether it is one
  of them (the Schedule tab's badge), its therapist's calendar around it (``overlapping``),
  and the approve form's three choice lists as one ``UNION ALL`` of the three rules'
  querysets.

The live pending requests over an appointment and the Schedule tab's count are read here too.
"""

import datetime
import zoneinfo
from itertools import groupby

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.lookups import GreaterThan, LessThan

from accounts.models import User
from clinic.models import DURATION_MAX, AppointmentType
from core.inputs import id_out_of_range
from core.pagination import counted_page
from scheduling.models import Appointment, AppointmentRequest, Location

PENDING = AppointmentRequest.Status.PENDING
EXPIRED = AppointmentRequest.Status.EXPIRED
# How much of the therapist's calendar each side of the requested time a request shows.
AROUND = datetime.timedelta(hours=2)
LONGEST = datetime.timedelta(minutes=DURATION_MAX)
PER_PAGE = 50

# What the queue and a request's page show of the rows around a request: joined, the
# request's own names (its patient, therapist, type, location).
NAME_FIELDS = (
    "patient__first_name",
    "patient__last_name",
    "appointment_type__name",
    "location__name",
    "location__time_zone",
    "therapist__first_name",
    "therapist__last_name",
    "therapist__email",
)
QUEUE_FIELDS = (
    "pk",
    "therapist_id",
    "start",
    "duration_minutes",
    "status",
    "note",
    "decline_reason",
    "preferred_therapist_id",
    "move_of_id",
    *NAME_FIELDS,
)
# The names two relations away from a request that the queue shows, by the names its rows
# give them: the case of its chart case, and for a request to move a visit, the visit's time
# now and its location's clock (``_subquery``).
FAR_NAMES = {
    "case_name": "chart_case__case__name",
    "move_of_start": "move_of__start",
    "move_of_time_zone": "move_of__location__time_zone",
}
REQUEST_FIELDS = (
    *QUEUE_FIELDS,
    *FAR_NAMES.values(),
    "appointment_type_id",
    "location_id",
    "created_at",
    "appointment_id",
    "chart_case__case_id",
    "appointment__start",
    "appointment__location__time_zone",
)


def _subquery(path: str) -> Subquery:
    """The request's ``path`` (``"chart_case__case__name"``) as a scalar subquery of its first
    relation. The queue reads its far names this way, not joined: PostgreSQL plans a subquery
    apart and runs it for the rows of the page only (after the LIMIT), where each joined table
    grows the join search of the whole statement: joined, the page was nine tables whose
    planning alone took 9 ms on the bench (0.8 ms with these three as subqueries). A
    request's row stays joined: eleven tables, but past the planner's ``join_collapse_limit``
    so searched in two parts (3.5 ms), where six subqueries cost more Python to build than
    they save."""
    relation, _, rest = path.partition("__")
    model = AppointmentRequest._meta.get_field(relation).related_model
    return Subquery(model.objects.filter(pk=OuterRef(f"{relation}_id")).values(rest))


def requests_with_status(clinic, status: str):
    """The queue's filter: Pending leaves out requests already past their time or limit (the
    ``expire_requests`` command marks them later: ``live``); Expired includes them
    (``overdue``)."""
    if status == PENDING:
        return AppointmentRequest.objects.live(clinic)
    requests = AppointmentRequest.objects.for_clinic(clinic.pk)
    if status == EXPIRED:
        overdue = requests.overdue(clinic).values("pk")
        return requests.filter(Q(status=EXPIRED) | Q(pk__in=overdue))
    return requests.filter(status=status)


def queue_page(clinic, status: str, number):
    """A page of the queue (``Paginator.get_page``'s answer, one query): rows named by
    ``QUEUE_FIELDS`` and ``FAR_NAMES``. Pending oldest first (the next to decide on top),
    the others newest first."""
    order = ("start", "pk") if status == PENDING else ("-start", "-pk")
    names = {name: _subquery(path) for name, path in FAR_NAMES.items()}
    requests = requests_with_status(clinic, status).annotate(**names).order_by(*order)
    return counted_page(requests, PER_PAGE, number, fields=(*QUEUE_FIELDS, *names))


# The calendars around requests -------------------------------------------------------------

SNAPSHOT_FIELDS = (
    "therapist_id",
    "start",
    "end",
    "patient__first_name",
    "patient__last_name",
    "location__time_zone",
)
SNAPSHOT_NAMES = ("appointment_type__name", "location__name")


def _around(appointments, request) -> list:
    """The appointments of the request's therapist overlapping ``AROUND`` either side of it
    (``AppointmentQuerySet.overlapping``'s condition, on rows already read)."""
    after = request.start - AROUND
    before = request.start + datetime.timedelta(minutes=request.duration_minutes) + AROUND
    return [
        a for a in appointments.get(request.therapist_id, ()) if a.start < before and a.end > after
    ]


def snapshots(clinic, requests) -> dict[int, list]:
    """Each request's therapist's not-cancelled appointments from ``AROUND`` before to
    ``AROUND`` after it, by start (``{request pk: [row, ...]}``, rows named by
    ``SNAPSHOT_FIELDS``). One query for any number of
    requests: the appointments of their therapists inside the page's span (no visit is
    longer than ``DURATION_MAX``) that are near one of them (an ``EXISTS``), shared out here
    by the overlap condition."""
    if not requests:
        return {}
    near = AppointmentRequest.objects.for_clinic(clinic.pk).filter(
        GreaterThan(OuterRef("start"), F("start") - (AROUND + LONGEST)),
        LessThan(OuterRef("start"), F("start") + (LONGEST + AROUND)),
        pk__in=[request.pk for request in requests],
        therapist_id=OuterRef("therapist_id"),
    )
    earliest = min(request.start for request in requests)
    latest = max(request.start for request in requests)
    rows = (
        Appointment.objects.for_clinic(clinic.pk)
        .not_cancelled()
        # The page's therapists and span: a range of the (clinic, therapist, start) index for
        # the EXISTS to filter, where it alone had PostgreSQL scan the clinic's appointments.
        .filter(
            therapist_id__in={request.therapist_id for request in requests},
            start__gt=earliest - (AROUND + LONGEST),
            start__lt=latest + (LONGEST + AROUND),
        )
        .filter(Exists(near))
        .order_by("therapist_id", "start", "pk")
        .values_list(*SNAPSHOT_FIELDS, named=True)
    )
    by_therapist = {key: list(group) for key, group in groupby(rows, lambda a: a.therapist_id)}
    return {request.pk: _around(by_therapist, request) for request in requests}


# A request's page --------------------------------------------------------------------------


def request_row(clinic, pk: int):
    """One request of the clinic as its page shows it (``REQUEST_FIELDS``); None when the
    clinic has no such request (or ``pk`` is past the database's integers)."""
    if id_out_of_range(pk):
        return None
    requests = AppointmentRequest.objects.for_clinic(clinic.pk).filter(pk=pk)
    return requests.values_list(*REQUEST_FIELDS, named=True).first()


def live_with(clinic, pk: int) -> tuple[int, bool]:
    """How many live requests the clinic has (the Schedule tab's badge) and whether the
    request ``pk`` is one of them: ``live`` counted twice in one aggregate."""
    counted = AppointmentRequest.objects.live(clinic).aggregate(
        count=Count("pk"), this=Count("pk", filter=Q(pk=pk))
    )
    return counted["count"], bool(counted["this"])


def calendar_around(clinic, row) -> list:
    """A request's therapist's not-cancelled appointments overlapping ``AROUND`` either side
    of it (``overlapping``), by start, named by ``SNAPSHOT_FIELDS`` and ``SNAPSHOT_NAMES``."""
    end = row.start + datetime.timedelta(minutes=row.duration_minutes)
    return list(
        Appointment.objects.for_clinic(clinic.pk)
        .not_cancelled()
        .filter(therapist_id=row.therapist_id)
        .overlapping(row.start - AROUND, end + AROUND)
        .order_by("start", "pk")
        .values_list(*SNAPSHOT_FIELDS, *SNAPSHOT_NAMES, named=True)
    )


def approve_choices(clinic_id: int, case_id: int) -> dict[str, list[tuple[int, str]]]:
    """The approve form's choices as ``(id, label)``: the clinic's active appointment types
    and locations by name, and the therapists who may take the case (``who_may_take``) by
    last and first name. The three querysets in one statement."""
    blank = Value("")
    types = AppointmentType.objects.for_clinic(clinic_id).active()
    therapists = User.objects.for_clinic(clinic_id).who_may_take(case_id)
    locations = Location.objects.for_clinic(clinic_id).active()
    rows = (
        types.order_by()
        .annotate(kind=Value(0), first=blank, email=blank)
        .values_list("kind", "pk", "name", "first", "email")
        .union(
            therapists.order_by()
            .annotate(kind=Value(1))
            .values_list("kind", "pk", "last_name", "first_name", "email"),
            locations.order_by()
            .annotate(kind=Value(2), first=blank, email=blank)
            .values_list("kind", "pk", "name", "first", "email"),
            all=True,
        )
        .order_by("kind", "name", "first", "pk")
    )
    choices = {"appointment_type": [], "therapist": [], "location": []}
    lists = list(choices.values())
    for kind, pk, name, first, email in rows:
        label = (f"{first} {name}".strip() or email) if kind == 1 else name
        lists[kind].append((pk, label))
    return choices


def pending_requests_over(appointment) -> list:
    """The live pending requests of the appointment's therapist that overlap it (a booking
    over one is allowed, with a warning). One query."""
    candidates = (
        AppointmentRequest.objects.live(appointment.clinic)
        .filter(
            therapist_id=appointment.therapist_id,
            start__lt=appointment.end,
            start__gt=appointment.start - LONGEST,
        )
        .exclude(appointment=appointment)
        .select_related("patient", "location")
    )
    return [r for r in candidates if r.end > appointment.start]


def pending_request_count(request) -> int:
    """The clinic's live pending requests (the queue's Pending filter, ``live``): the badge on
    the Schedule tab and on the calendar's Appointment Requests link. One COUNT on the
    (clinic, status, start) index, kept on the request so a page showing it twice asks once,
    and none when the page has counted them itself (``remember_pending_request_count``)."""
    if not hasattr(request, "_pending_request_count"):
        clinic = request.user.clinic
        request._pending_request_count = AppointmentRequest.objects.live(clinic).count()
    return request._pending_request_count


def remember_pending_request_count(request, count: int) -> None:
    """A page that has counted the live pending requests itself (the queue's Pending filter
    is the same set, a request's row carries it) gives the badge that count instead of a
    second COUNT."""
    request._pending_request_count = count


def local(value: datetime.datetime, time_zone: str) -> datetime.datetime:
    return value.astimezone(zoneinfo.ZoneInfo(time_zone))
