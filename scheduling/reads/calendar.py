"""The day and week views' reads, each through the queryset that holds its rule:
``Appointment.objects.visible_to(user)`` and ``.overlapping()`` for the appointments,
``AppointmentRequest.objects.live(clinic)`` for the pending requests,
``User.objects.active_therapists`` for the week's picker, and
``working_time`` for the hours, closures, availability and exceptions, and the day's columns
(those of ``User.objects.active_therapists`` with availability at the location, read with
it). Each is shaped for the page with ``.values()``: plain values, the names read with their
rows by the same query."""

import datetime
from dataclasses import dataclass

from django.db.models import F, Q

from accounts.models import User
from core.sql import user_name
from scheduling.models import Appointment, AppointmentRequest

# The class of an appointment's block is made of its status only through this table: a
# status the code does not know gets no class, never a value read from the database.
# A scheduled visit the family confirmed (a link in a reminder) shows as its own status.
CONFIRMED = "confirmed_by_patient"
STATUS_CLASSES = {value: f"status-{value}" for value in [*Appointment.Status.values, CONFIRMED]}
STATUS_LABELS = {
    **{value: str(label) for value, label in Appointment.Status.choices},
    CONFIRMED: "Confirmed by patient",
}
CANCELLED = frozenset(Appointment.CANCELLED)


@dataclass(frozen=True)
class Therapist:
    """A therapist as the calendar shows them (``str(user)``)."""

    pk: int
    name: str
    last_name: str = ""
    first_name: str = ""

    def __str__(self) -> str:
        return self.name


@dataclass(slots=True)
class Block:
    """An appointment or a pending request, with what its block shows."""

    pk: int
    start: datetime.datetime
    end: datetime.datetime
    request: bool
    status: str
    cancel_reason: str
    patient: str
    case: str
    type: str
    duration: int
    # An appointment's therapist; a request's preferred one (None: no therapist chosen).
    therapist: Therapist | None
    # A request's suggested therapist (the one whose free time was chosen), by name.
    suggested: str = ""
    # Booked over or outside the chart case's authorizations, with a reason (issue 21).
    over_authorization: bool = False

    @property
    def cancelled(self) -> bool:
        return self.status in CANCELLED

    @property
    def therapist_id(self) -> int | None:
        return None if self.therapist is None else self.therapist.pk


def _therapist(prefix: str) -> dict:
    """The columns a ``Therapist`` is made of, of the user ``prefix`` names."""
    return {
        f"{prefix}_first": F(f"{prefix}__first_name"),
        f"{prefix}_last": F(f"{prefix}__last_name"),
        f"{prefix}_email": F(f"{prefix}__email"),
    }


def _as_therapist(row: dict, prefix: str, known: dict) -> Therapist | None:
    """The row's therapist, made once per therapist of the page (``known``)."""
    pk = row[f"{prefix}_id"]
    if pk is None:
        return None
    therapist = known.get(pk)
    if therapist is None:
        first, last = row[f"{prefix}_first"], row[f"{prefix}_last"]
        name = user_name(first, last, row[f"{prefix}_email"])
        therapist = known[pk] = Therapist(pk, name, last, first)
    return therapist


_PATIENT = {"patient_first": F("patient__first_name"), "patient_last": F("patient__last_name")}


def _patient(row: dict) -> str:
    # ``str(patient)``.
    return f"{row['patient_first']} {row['patient_last']}"


_APPOINTMENT_COLUMNS = (
    "pk",
    "start",
    "end",
    "status",
    "cancel_reason",
    "patient__first_name",
    "patient__last_name",
    "chart_case__case__name",
    "appointment_type__name",
    "therapist_id",
    "therapist__first_name",
    "therapist__last_name",
    "therapist__email",
    "patient_confirmed_at",
    "authorization_override",
)


def calendar_appointments(
    user, *, location_id: int, start, end, therapist_id: int | None = None
) -> list[Block]:
    """The appointments at the location overlapping ``[start, end)`` that ``user`` may see
    (a therapist: their own), only ``therapist_id``'s when given; by start."""
    rows = Appointment.objects.visible_to(user).filter(location_id=location_id)
    if therapist_id is not None:
        rows = rows.filter(therapist_id=therapist_id)
    rows = rows.overlapping(start, end).order_by("start", "pk")
    known: dict[int, Therapist] = {}
    blocks = []
    # Tuples, not dicts: a page reads hundreds of these rows.
    for row in rows.values_list(*_APPOINTMENT_COLUMNS):
        therapist = known.get(row[9])
        if therapist is None:
            first, last = row[10], row[11]
            name = user_name(first, last, row[12])
            therapist = known[row[9]] = Therapist(row[9], name, last, first)
        # The patient as ``str(patient)``.
        patient = f"{row[5]} {row[6]}"
        pk, begins, ends, status, reason = row[:5]
        if status == Appointment.Status.SCHEDULED and row[13] is not None:
            status = CONFIRMED
        case, kind = row[7], row[8]
        block = Block(pk, begins, ends, False, status, reason, patient, case, kind, 0, therapist)
        block.over_authorization = bool(row[14])
        blocks.append(block)
    return blocks


def calendar_requests(
    clinic, *, location_id: int, start, end, preferring: str = "any", therapist_id=None
) -> list[Block]:
    """The live pending requests at the location starting in ``[start, end)``, by start:
    ``preferring`` "any", "therapist" (those preferring ``therapist_id``) or
    "therapist_or_none" (those, and those with no therapist chosen)."""
    rows = AppointmentRequest.objects.live(clinic).filter(
        location_id=location_id, start__gte=start, start__lt=end
    )
    if preferring == "therapist":
        rows = rows.filter(preferred_therapist_id=therapist_id)
    elif preferring == "therapist_or_none":
        rows = rows.filter(
            Q(preferred_therapist_id=therapist_id) | Q(preferred_therapist__isnull=True)
        )
    blocks, known = [], {}
    for row in rows.order_by("start", "pk").values(
        "pk",
        "start",
        "duration_minutes",
        "preferred_therapist_id",
        type_name=F("appointment_type__name"),
        **_PATIENT,
        **_therapist("therapist"),
        **_therapist("preferred_therapist"),
    ):
        minutes = row["duration_minutes"]
        suggested = user_name(row["therapist_first"], row["therapist_last"], row["therapist_email"])
        blocks.append(
            Block(
                row["pk"],
                row["start"],
                row["start"] + datetime.timedelta(minutes=minutes),
                True,
                "pending",
                "",
                _patient(row),
                "",
                row["type_name"],
                minutes,
                _as_therapist(row, "preferred_therapist", known),
                suggested,
            )
        )
    return blocks


def calendar_therapists(clinic_id: int) -> list[Therapist]:
    """The clinic's active therapists by name (the week's picker). The day's columns come
    with the location's availability (``working_time(..., therapists=True)``)."""
    users = User.objects.active_therapists(clinic_id).values_list(
        "pk", "first_name", "last_name", "email"
    )
    return [
        Therapist(pk, user_name(first, last, email), last, first)
        for pk, first, last, email in users
    ]
