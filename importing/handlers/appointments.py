"""The appointments' handler: checked like the other kinds, but written one row at a time
through scheduling's services, so that every booking rule holds for imported visits too."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from accounts.models import User
from charts.models import PatientChartCase
from clinic.models import AppointmentType
from core.inputs import DATE_MAX, DATE_MIN, parse_id
from core.roles import ADMINISTRATOR, SCHEDULER, has_role
from importing.format import (
    APPOINTMENT,
    MAX_NAME,
    OVERRIDE_COLUMN,
    parse_choice,
    parse_time,
    text_field,
)
from importing.handlers.base import CleanContext, Handler, WriteResult, _unused
from scheduling.models import Appointment, Location
from scheduling.services import appointment_book, appointment_record

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
# Appointment.authorization_override's length.
MAX_OVERRIDE = 300
# The booking's words for where the reason goes, and the file's.
FORM_FIELD = "“Book over the authorization because”"


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
        duration = self._duration(raw.get("duration_minutes", "").strip(), errors)
        type_id = self._appointment_type(raw.get("appointment_type", "").strip(), ctx, errors)
        status = parse_choice(
            raw.get("status", ""), APPOINTMENT_STATUSES, SCHEDULED, "status", errors
        )
        self._check_when(day, start_time, status, ctx, errors)
        override = text_field(
            raw.get(OVERRIDE_COLUMN, ""), OVERRIDE_COLUMN, errors, limit=MAX_OVERRIDE
        )
        if override and status != SCHEDULED:
            errors.append(
                f"{OVERRIDE_COLUMN} is only for a future visit (booked): a visit of the past is "
                "recorded as it went, not checked against the authorizations."
            )
        return {
            "start_time": start_time,
            "duration_minutes": duration,
            "appointment_type_id": type_id,
            "location_id": self._location(raw.get("location", "").strip(), ctx, errors),
            "status": status,
            "notes": text_field(raw.get("text", ""), "text", errors, limit=MAX_APPOINTMENT_TEXT),
            "authorization_override": override,
        }

    @staticmethod
    def _duration(text: str, errors: list[str]) -> int | None:
        if not text:
            return None
        duration = parse_id(text)
        if duration is None or not 5 <= duration <= 480 or duration % 5:
            errors.append("duration_minutes must be whole minutes from 5 to 480 in steps of 5.")
            return None
        return duration

    @staticmethod
    def _appointment_type(name: str, ctx: CleanContext, errors: list[str]) -> int | None:
        if not name:
            errors.append("appointment_type is missing.")
            return None
        type_id = ctx.appointment_types.get(name.lower())
        if type_id is None:
            errors.append(
                f"appointment_type “{name[:MAX_NAME]}” is not one of the "
                "clinic's appointment types."
            )
        return type_id

    @staticmethod
    def _check_when(day, start_time, status: str, ctx: CleanContext, errors: list[str]) -> None:
        """The date within the calendar's bounds, and a status that fits a past or future visit."""
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
        chunk = _Chunk.load(items, context.clinic)
        now = context.clinic.now()
        for item in items:
            booking = chunk.booking(item, context)
            if booking is None:
                # Deleted between the check and this chunk.
                result.refused.append((item, "its location, type or therapist was just removed."))
                continue
            try:
                appointment = _book_or_record(booking, item.row.values, now)
            except ValidationError as error:
                result.refused.append((item, "appointment not imported: " + _words(error)))
            else:
                result.written.append((item, appointment.pk))
        return result


@dataclass
class _Chunk:
    """The rows a chunk of appointments points at, each loaded once for the whole chunk."""

    locations: dict
    types: dict
    therapists: dict
    chart_cases: dict

    @classmethod
    def load(cls, items, clinic) -> "_Chunk":
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
        return cls(locations, types, therapists, chart_cases)

    def booking(self, item, context) -> dict | None:
        """The arguments of scheduling's service for the row, or None when its location, type
        or therapist is gone."""
        row, values = item.row, item.row.values
        cancelled = values["status"] in Appointment.CANCELLED
        location = self.locations.get(values["location_id"])
        appointment_type = self.types.get(values["appointment_type_id"])
        if location is None or appointment_type is None or row.author_id not in self.therapists:
            return None
        return {
            "clinic": context.clinic,
            "chart_case": self.chart_cases[item.chart_case_id],
            "therapist": self.therapists[row.author_id],
            "location": location,
            "appointment_type": appointment_type,
            "start": datetime.datetime.combine(
                row.date, values["start_time"], tzinfo=location.tzinfo
            ),
            "duration_minutes": values["duration_minutes"]
            or appointment_type.default_duration_minutes,
            "by": context.actor,
            "source": f"Imported from “{context.file_name}”, line {row.line}."
            + (f" Notes: {values['notes']}" if values["notes"] and not cancelled else ""),
        }


def _words(error: ValidationError) -> str:
    """The booking's messages, the override's pointing at the file's column rather than the
    form's field."""
    return " ".join(error.messages).replace(FORM_FIELD, f"the {OVERRIDE_COLUMN} column")


def _book_or_record(booking: dict, values: dict, now: datetime.datetime) -> Appointment:
    """A future visit is booked (every booking rule, the authorizations' too: one over or
    outside them only with the row's reason); a past one is recorded as it went."""
    if booking["start"] >= now:
        if values["status"] != SCHEDULED:
            raise ValidationError("a future appointment can only be booked.")
        return appointment_book(
            **booking, authorization_override=values["authorization_override"] or None
        )
    cancelled = values["status"] in Appointment.CANCELLED
    return appointment_record(
        **booking,
        status=values["status"],
        cancel_reason=values["notes"] if cancelled else "",
    )
