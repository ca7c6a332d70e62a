"""One handler per record kind: what its columns must say, and how its rows are written.

Handlers are looked up by kind in ``HANDLERS``. The appointment handler here only checks its
columns and reports its rows as not imported: booking must go through scheduling's
``appointment_book`` (a clash is a reported row, never a double booking), and scheduling sits
between charts and importing. Once it is there, replace it with a subclass whose ``write``
books each row, e.g.::

    class BookingAppointmentHandler(AppointmentHandler):
        def write(self, items, context):
            result = WriteResult()
            for item in items:
                try:
                    appointment = appointment_book(chart_case_id=item.chart_case_id, ...)
                except ValidationError as error:  # a clash, outside hours...
                    result.refused.append((item, " ".join(error.messages)))
                else:
                    result.written.append((item, appointment.pk))
            return result

    register_handler(BookingAppointmentHandler())

``write`` runs inside the transaction of a chunk of patients; ``appointment_book`` is atomic
itself (a savepoint), so a refused row leaves the others. Written rows join the ledger (a second
run skips them), refused ones are reported with their line; nothing else in the importer
changes.
"""

import datetime
import functools
from dataclasses import dataclass, field

from charts.models import DailyNote, Evaluation, Goal, Reminder
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


@dataclass
class CleanContext:
    """What checking a row needs besides the row: the clinic's today and wall clock, and its
    appointment types by lower-case name."""

    today: datetime.date
    now: datetime.datetime  # naive, the clinic's wall clock
    appointment_types: dict[str, int] = field(default_factory=dict)


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


@dataclass
class WriteResult:
    # (item, id of the row written)
    written: list = field(default_factory=list)
    # (item, why): rows of a kind this version cannot write at all, counted per kind in the
    # summary with the reason ("not imported yet: scheduling not available")
    not_written: list = field(default_factory=list)
    # (item, why): single rows refused while writing (a clash with another appointment),
    # reported with their line number like the check's bad rows
    refused: list = field(default_factory=list)


def _aware(moment: datetime.datetime, tzinfo) -> datetime.datetime:
    return moment.replace(tzinfo=tzinfo)


def _noon(day: datetime.date, tzinfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=tzinfo)


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
            raw, ("subjective", "objective", "assessment", "plan", "signed_at"), "Goals", errors
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
        _unused(raw, ("text", "recommendations", "end_date", "subtype"), "Daily notes", errors)
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
            ("subjective", "objective", "assessment", "plan", "end_date"),
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
            raw, ("subjective", "objective", "assessment", "plan", "signed_at"), "Reminders", errors
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


APPOINTMENT_STATUSES = {
    name: name for name in ("booked", "completed", "cancelled", "no_show", "scheduled")
}
APPOINTMENT_STATUSES["canceled"] = "cancelled"
SCHEDULING_MISSING = "not imported yet: scheduling not available"


class AppointmentHandler(Handler):
    """Checks the columns now; leaves the rows unwritten until scheduling's booking service is
    plugged in (see the module's docstring)."""

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
            if not text.isdigit() or not 5 <= int(text) <= 480 or int(text) % 5:
                errors.append("duration_minutes must be whole minutes from 5 to 480 in steps of 5.")
            else:
                duration = int(text)
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
        return {
            "start_time": start_time,
            "duration_minutes": duration,
            "appointment_type_id": type_id,
            "status": parse_choice(
                raw.get("status", ""), APPOINTMENT_STATUSES, "booked", "status", errors
            ),
            "notes": text_field(raw.get("text", ""), "text", errors),
        }

    def write(self, items, context):
        return WriteResult(not_written=[(item, SCHEDULING_MISSING) for item in items])


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
