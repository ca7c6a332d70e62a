"""One handler per record kind: what its columns must say, and how its rows are written.

Handlers are looked up by kind in ``HANDLERS``. Most write a whole chunk with one bulk INSERT;
appointments go one by one through scheduling's services, so that they keep its rules: a visit
of the past through ``appointment_record`` (the no-overlap rule, the therapist fits the case),
a future one through ``appointment_book`` (every booking rule: hours, availability...). A row
they refuse (a clash, a therapist who cannot take the case) is reported with its line and
never double-booked; each call is a savepoint of the chunk's transaction, so a refused row
leaves the others. Written rows join the ledger, so a second run skips them.
"""

import datetime
import functools
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from accounts.models import User
from charts.models import DailyNote, Evaluation, Goal, PatientChartCase, Reminder
from clinic.models import AppointmentType
from core.inputs import DATE_MAX, DATE_MIN, parse_id
from core.roles import ADMINISTRATOR, SCHEDULER, has_role
from importing.format import (
    APPOINTMENT,
    DAILY_NOTE,
    EVALUATION,
    GOAL,
    MAX_NAME,
    REMINDER,
    Row,
    column_name,
    parse_choice,
    parse_datetime,
    parse_optional_date,
    parse_signed,
    parse_time,
    text_field,
)
from scheduling.models import Appointment, Location
from scheduling.services import appointment_book, appointment_record


@dataclass
class CleanContext:
    """What checking a row needs besides the row: the clinic's today and wall clock, and its
    appointment types by lower-case name."""

    today: datetime.date
    now: datetime.datetime  # naive, the clinic's wall clock
    appointment_types: dict[str, int] = field(default_factory=dict)
    # The clinic's locations by lower-case name (inactive ones too: history may name a
    # location since closed), and the one active location when there is exactly one.
    locations: dict[str, int] = field(default_factory=dict)
    only_location_id: int | None = None
    active_locations: int = 0
    # The clinic's active payers by lower-case name (authorization rows).
    payers: dict[str, int] = field(default_factory=dict)


@dataclass
class Item:
    row: Row
    chart_case_id: int


@dataclass
class WriteContext:
    clinic_id: int
    tzinfo: datetime.tzinfo
    # The user the import runs as (the uploader, or the command's --by).
    actor_id: int | None = None
    # For the rows written through scheduling's services (appointments): the clinic and the
    # actor themselves, and the file's name for their audit entries.
    clinic: object = None
    actor: object = None
    file_name: str = ""


@dataclass
class WriteResult:
    # (item, id of the row written)
    written: list = field(default_factory=list)
    # (item, why): single rows refused while writing (a clash with another appointment),
    # reported with their line number like the check's bad rows
    refused: list = field(default_factory=list)


def _aware(moment: datetime.datetime, tzinfo) -> datetime.datetime:
    return moment.replace(tzinfo=tzinfo)


def _noon(day: datetime.date, tzinfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=tzinfo)


# Only appointments use these.
APPOINTMENT_COLUMNS = ("start_time", "duration_minutes", "appointment_type", "location")


def _unused(raw: dict, names: tuple[str, ...], kind_label: str, errors: list[str]) -> None:
    """A value in a column this kind does not use is refused rather than silently dropped."""
    used = [name for name in names if raw.get(name, "").strip()]
    if used:
        errors.append(f"{kind_label} do not use the column(s) {', '.join(used)}.")


def _not_in_future(day, label: str, ctx: CleanContext, errors: list[str]) -> None:
    if day is not None and day > ctx.today:
        errors.append(f"{label} {day:%Y-%m-%d} is in the future.")


def _signature(raw: dict, day, ctx: CleanContext, errors: list[str]) -> dict:
    signed = parse_signed(raw.get("signed", ""), errors)
    signed_at = parse_datetime(raw.get("signed_at", ""), "signed_at", errors)
    if signed_at is not None and not signed:
        errors.append("signed_at is given but signed is not yes.")
    if signed_at is not None and signed_at > ctx.now:
        errors.append("signed_at is in the future.")
    if signed_at is not None and day is not None and signed_at.date() < day:
        errors.append("signed_at is before the document's date.")
    return {"signed": signed, "signed_at": signed_at}


class Handler:
    kind = ""
    model = None

    def clean(self, raw: dict, day: datetime.date, ctx: CleanContext, errors: list[str]) -> dict:
        raise NotImplementedError

    def build(self, item: Item, context: WriteContext):
        raise NotImplementedError

    def write(self, items: list[Item], context: WriteContext) -> WriteResult:
        """Bulk insert: one INSERT per kind for a whole chunk of patients."""
        objects = [self.build(item, context) for item in items]
        self.model.objects.bulk_create(objects, batch_size=1000)
        return WriteResult(
            written=[(item, obj.pk) for item, obj in zip(items, objects, strict=True)]
        )


GOAL_KINDS = {"long_term": "long_term", "long": "long_term", "short_term": "short_term"}
GOAL_KINDS["short"] = "short_term"
GOAL_STATUSES = {value: value for value in Goal.Status.values}


class GoalHandler(Handler):
    kind = GOAL
    model = Goal

    def clean(self, raw, day, ctx, errors):
        _unused(
            raw,
            ("subjective", "objective", "assessment", "plan", "signed_at", *APPOINTMENT_COLUMNS),
            "Goals",
            errors,
        )
        if parse_signed(raw.get("signed", ""), []):
            errors.append("goals are not signed: leave signed empty.")
        text = text_field(raw.get("text", ""), "text", errors)
        if not text:
            errors.append("a goal needs its text.")
        target = parse_optional_date(raw.get("end_date", ""), "end_date", errors)
        if target is None and not raw.get("end_date", "").strip():
            errors.append("end_date (the goal's target date) is missing.")
        if target is not None and day is not None and target < day:
            errors.append("end_date (target) is before date (start).")
        return {
            "text": text,
            "target_date": target,
            "kind": parse_choice(
                raw.get("subtype", ""), GOAL_KINDS, "long_term", "subtype", errors
            ),
            "status": parse_choice(
                raw.get("status", ""), GOAL_STATUSES, "active", "status", errors
            ),
        }

    def build(self, item, context):
        row = item.row
        return Goal(
            clinic_id=context.clinic_id,
            chart_case_id=item.chart_case_id,
            kind=row.values["kind"],
            text=row.values["text"],
            start_date=row.date,
            target_date=row.values["target_date"],
            status=row.values["status"],
            created_by_id=row.author_id,
        )


class DailyNoteHandler(Handler):
    kind = DAILY_NOTE
    model = DailyNote
    SECTIONS = ("subjective", "objective", "assessment", "plan")

    def clean(self, raw, day, ctx, errors):
        _unused(
            raw,
            ("text", "recommendations", "end_date", "subtype", *APPOINTMENT_COLUMNS),
            "Daily notes",
            errors,
        )
        _not_in_future(day, "date (of service)", ctx, errors)
        values = {name: text_field(raw.get(name, ""), name, errors) for name in self.SECTIONS}
        if not any(values.values()):
            errors.append(
                "a daily note needs text: subjective, objective, assessment and plan are all empty."
            )
        return {**values, **_signature(raw, day, ctx, errors)}

    def build(self, item, context):
        row = item.row
        values = row.values
        return DailyNote(
            clinic_id=context.clinic_id,
            chart_case_id=item.chart_case_id,
            date_of_service=row.date,
            author_id=row.author_id,
            **{name: values[name] for name in self.SECTIONS},
            **_signed_fields(row, context),
        )


def _signed_fields(row: Row, context: WriteContext) -> dict:
    if not row.values["signed"]:
        return {}
    moment = row.values["signed_at"]
    signed_at = _aware(moment, context.tzinfo) if moment else _noon(row.date, context.tzinfo)
    return {"signed_at": signed_at, "signed_by_id": row.author_id}


EVALUATION_KINDS = {value: value for value in Evaluation.Kind.values}
EVALUATION_KINDS.update({"initial_evaluation": "initial", "reevaluation": "re_evaluation"})


class EvaluationHandler(Handler):
    kind = EVALUATION
    model = Evaluation

    def clean(self, raw, day, ctx, errors):
        _unused(
            raw,
            ("subjective", "objective", "assessment", "plan", "end_date", *APPOINTMENT_COLUMNS),
            "Evaluations",
            errors,
        )
        _not_in_future(day, "date", ctx, errors)
        findings = text_field(raw.get("text", ""), "text", errors)
        recommendations = text_field(raw.get("recommendations", ""), "recommendations", errors)
        if not findings and not recommendations:
            errors.append("an evaluation needs text (its findings) or recommendations.")
        return {
            "findings": findings,
            "recommendations": recommendations,
            "kind": parse_choice(
                raw.get("subtype", ""), EVALUATION_KINDS, "initial", "subtype", errors
            ),
            **_signature(raw, day, ctx, errors),
        }

    def build(self, item, context):
        row = item.row
        return Evaluation(
            clinic_id=context.clinic_id,
            chart_case_id=item.chart_case_id,
            kind=row.values["kind"],
            date=row.date,
            findings=row.values["findings"],
            recommendations=row.values["recommendations"],
            author_id=row.author_id,
            **_signed_fields(row, context),
        )


REMINDER_STATUSES = {"open": "open", "done": "done", "active": "open", "completed": "done"}


class ReminderHandler(Handler):
    kind = REMINDER
    model = Reminder

    def clean(self, raw, day, ctx, errors):
        _unused(
            raw,
            ("subjective", "objective", "assessment", "plan", "signed_at", *APPOINTMENT_COLUMNS),
            "Reminders",
            errors,
        )
        if parse_signed(raw.get("signed", ""), []):
            errors.append("reminders are not signed: leave signed empty.")
        text = text_field(raw.get("text", ""), "text", errors, limit=200)
        if not text:
            errors.append("a reminder needs its text.")
        status = parse_choice(raw.get("status", ""), REMINDER_STATUSES, "open", "status", errors)
        return {"text": text, "done": status == "done"}

    def build(self, item, context):
        row = item.row
        done = row.values["done"]
        return Reminder(
            clinic_id=context.clinic_id,
            chart_case_id=item.chart_case_id,
            kind=Reminder.Kind.MANUAL,
            text=row.values["text"],
            due_on=row.date,
            done_at=_noon(row.date, context.tzinfo) if done else None,
            done_by_id=row.author_id if done else None,
            created_by_id=row.author_id,
        )


Status = Appointment.Status
SCHEDULED = Status.SCHEDULED
# The file's words for an appointment's status, and the status each becomes. ``cancelled``
# alone is read as cancelled by the patient (the usual case).
APPOINTMENT_STATUSES = {
    "booked": SCHEDULED,
    "scheduled": SCHEDULED,
    "completed": Status.COMPLETED,
    "no_show": Status.NO_SHOW,
    "noshow": Status.NO_SHOW,
    "cancelled": Status.PATIENT_CANCELLED,
    "canceled": Status.PATIENT_CANCELLED,
    "patient_cancelled": Status.PATIENT_CANCELLED,
    "clinic_cancelled": Status.CLINIC_CANCELLED,
}
# The dates an appointment row may have (the calendar's own bounds, scheduling/forms.py).
FIRST_DAY, LAST_DAY = DATE_MIN, DATE_MAX
MAX_APPOINTMENT_TEXT = 300


class AppointmentHandler(Handler):
    """Checks the columns; books a future row (``appointment_book``) and records a past one
    (``appointment_record``), one row at a time: a refused row is reported with its line."""

    kind = APPOINTMENT

    def clean(self, raw, day, ctx, errors):
        _unused(
            raw,
            ("subjective", "objective", "assessment", "plan", "signed", "signed_at"),
            "Appointments",
            errors,
        )
        start_time = parse_time(raw.get("start_time", ""), "start_time", errors)
        duration = None
        text = raw.get("duration_minutes", "").strip()
        if text:
            duration = parse_id(text)
            if duration is None or not 5 <= duration <= 480 or duration % 5:
                errors.append("duration_minutes must be whole minutes from 5 to 480 in steps of 5.")
                duration = None
        type_name = raw.get("appointment_type", "").strip()
        type_id = None
        if not type_name:
            errors.append("appointment_type is missing.")
        else:
            type_id = ctx.appointment_types.get(type_name.lower())
            if type_id is None:
                errors.append(
                    f"appointment_type “{type_name[:MAX_NAME]}” is not one of the "
                    "clinic's appointment types."
                )
        status = parse_choice(
            raw.get("status", ""), APPOINTMENT_STATUSES, SCHEDULED, "status", errors
        )
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            # Scheduling's checks reach days and hours beyond the visit: at the ends of
            # ``datetime.date`` they would stop the import with an OverflowError.
            errors.append(
                f"the appointment's date {day.isoformat()} is not between "
                f"{FIRST_DAY:%Y-%m-%d} and {LAST_DAY:%Y-%m-%d}."
            )
        elif day is not None and start_time is not None:
            start = datetime.datetime.combine(day, start_time)
            if start < ctx.now and status == SCHEDULED:
                errors.append(
                    f"the appointment of {start:%Y-%m-%d %H:%M} is in the past: say how it went "
                    "with status completed, no_show or cancelled (booked is for future ones)."
                )
            elif start >= ctx.now and status != SCHEDULED:
                errors.append(
                    f"the appointment of {start:%Y-%m-%d %H:%M} is in the future: its status "
                    "can only be booked."
                )
        return {
            "start_time": start_time,
            "duration_minutes": duration,
            "appointment_type_id": type_id,
            "location_id": self._location(raw.get("location", "").strip(), ctx, errors),
            "status": status,
            "notes": text_field(raw.get("text", ""), "text", errors, limit=MAX_APPOINTMENT_TEXT),
        }

    @staticmethod
    def _location(name: str, ctx: CleanContext, errors: list[str]) -> int | None:
        if name:
            found = ctx.locations.get(name.lower())
            if found is None:
                errors.append(f"location “{name[:MAX_NAME]}” is not one of the clinic's locations.")
            return found
        if ctx.only_location_id is None:
            errors.append(
                "location is missing: the clinic has no active location (add one under Basic "
                "Setup > Locations)."
                if not ctx.active_locations
                else f"location is missing: the clinic has {ctx.active_locations} active "
                "locations, name one."
            )
        return ctx.only_location_id

    def write(self, items, context):
        result = WriteResult()
        actor = context.actor
        if not has_role(actor, ADMINISTRATOR, SCHEDULER):
            why = (
                f"appointments are booked by an administrator or scheduler; the import runs as "
                f"{actor}: run it as one of them (--by)."
            )
            result.refused = [(item, why) for item in items]
            return result
        clinic = context.clinic
        locations = {loc.pk: loc for loc in Location.objects.filter(clinic_id=clinic.pk)}
        types = {t.pk: t for t in AppointmentType.objects.filter(clinic_id=clinic.pk)}
        # Loaded once for the chunk, with what the checks read (the service types that say
        # whether a therapist can take a case).
        therapists = User.objects.prefetch_related("service_types").in_bulk(
            {item.row.author_id for item in items}
        )
        chart_cases = (
            PatientChartCase.objects.select_related("case", "patient")
            .prefetch_related("case__service_types")
            .in_bulk({item.chart_case_id for item in items})
        )
        now = clinic.now()
        for item in items:
            row, values = item.row, item.row.values
            cancelled = values["status"] in Appointment.CANCELLED
            location = locations.get(values["location_id"])
            appointment_type = types.get(values["appointment_type_id"])
            if location is None or appointment_type is None or row.author_id not in therapists:
                # Deleted between the check and this chunk.
                result.refused.append((item, "its location, type or therapist was just removed."))
                continue
            start = datetime.datetime.combine(
                row.date, values["start_time"], tzinfo=location.tzinfo
            )
            booking = {
                "clinic": clinic,
                "chart_case": chart_cases[item.chart_case_id],
                "therapist": therapists[row.author_id],
                "location": location,
                "appointment_type": appointment_type,
                "start": start,
                "duration_minutes": values["duration_minutes"]
                or appointment_type.default_duration_minutes,
                "by": actor,
                "source": f"Imported from “{context.file_name}”, line {row.line}."
                + (f" Notes: {values['notes']}" if values["notes"] and not cancelled else ""),
            }
            try:
                if start >= now:
                    if values["status"] != SCHEDULED:
                        raise ValidationError("a future appointment can only be booked.")
                    appointment = appointment_book(**booking)
                else:
                    appointment = appointment_record(
                        **booking,
                        status=values["status"],
                        cancel_reason=values["notes"] if cancelled else "",
                    )
            except ValidationError as error:
                result.refused.append(
                    (item, "appointment not imported: " + " ".join(error.messages))
                )
            else:
                result.written.append((item, appointment.pk))
        return result


HANDLERS: dict[str, Handler] = {}


def register_handler(handler: Handler) -> None:
    HANDLERS[handler.kind] = handler


for _handler in (
    GoalHandler(),
    DailyNoteHandler(),
    EvaluationHandler(),
    ReminderHandler(),
    AppointmentHandler(),
):
    register_handler(_handler)


@functools.lru_cache(maxsize=256)
def kind_of(text: str) -> str:
    """``Daily note``, ``daily-note`` and ``daily_note`` are the same kind; ``note`` too."""
    name = column_name(text)
    return {"note": DAILY_NOTE, "notes": DAILY_NOTE, "daily_notes": DAILY_NOTE}.get(name, name)
