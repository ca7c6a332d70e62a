"""The chart documents' handlers: goals, daily notes, evaluations and reminders, each written
with one bulk INSERT per chunk."""

from charts.models import DailyNote, Evaluation, Goal, Reminder
from importing.format import (
    DAILY_NOTE,
    EVALUATION,
    GOAL,
    REMINDER,
    Row,
    parse_choice,
    parse_optional_date,
    parse_signed,
    text_field,
)
from importing.handlers.base import (
    APPOINTMENT_COLUMNS,
    Handler,
    WriteContext,
    _aware,
    _noon,
    _not_in_future,
    _signature,
    _unused,
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
