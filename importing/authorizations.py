"""Authorization rows (issue 21): an authorization on the row's chart case, written through
``insurance.services.authorization_save`` one row at a time, so every rule of the screen
applies; a refused row is reported with its line."""

from django.core.exceptions import ValidationError
from django.db import transaction

from charts.models import PatientChartCase
from clinic.models import AppointmentType
from core.inputs import parse_id
from core.roles import ADMINISTRATOR, SCHEDULER, has_role
from importing.format import (
    AUTHORIZATION,
    MAX_NAME,
    columns_named,
    parse_choice,
    parse_date,
    text_field,
)
from importing.handlers import Handler, WriteResult, register_handler
from importing.handlers.base import APPOINTMENT_COLUMNS
from insurance.models import Authorization, Payer
from insurance.services import authorization_save

UNITS = {"visits": "visits", "visit": "visits", "units": "units", "unit": "units"}
UNUSED = (
    "subjective",
    "objective",
    "assessment",
    "plan",
    "signed",
    "signed_at",
    "subtype",
    "recommendations",
    "status",
    *(name for name in APPOINTMENT_COLUMNS if name != "appointment_type"),
)


class AuthorizationHandler(Handler):
    """``date`` is the first date, ``end_date`` the last; ``appointment_type`` (optional) the
    one type it covers; ``text`` its note."""

    kind = AUTHORIZATION

    def clean(self, raw, day, ctx, errors):
        used = [name for name in UNUSED if raw.get(name, "").strip()]
        if used:
            errors.append(f"Authorizations do not use {columns_named(used)}.")
        last = parse_date(raw.get("end_date", ""), "end_date", errors)
        if day is not None and last is not None and last < day:
            errors.append("end_date (the last date) is before date (the first date).")
        payer_name = raw.get("payer", "").strip()
        payer_id = ctx.payers.get(payer_name.lower())
        if not payer_name:
            errors.append("payer is missing.")
        elif payer_id is None:
            errors.append(f"payer “{payer_name[:MAX_NAME]}” is not an active payer of the clinic.")
        number = " ".join(raw.get("authorization_number", "").split())
        if not number:
            errors.append("authorization_number is missing.")
        elif len(number) > 50:
            errors.append("authorization_number is longer than 50 characters.")
        quantity = parse_id(raw.get("quantity", "").strip())
        if quantity is None or not 1 <= quantity <= 10_000:
            errors.append("quantity must be a whole number from 1 to 10,000.")
        unit = parse_choice(raw.get("unit", ""), UNITS, "visits", "unit", errors)
        type_name = raw.get("appointment_type", "").strip()
        type_id = ctx.appointment_types.get(type_name.lower()) if type_name else None
        if type_name and type_id is None:
            errors.append(
                f"appointment_type “{type_name[:MAX_NAME]}” is not one of the clinic's "
                "appointment types."
            )
        return {
            "last_date": last,
            "payer_id": payer_id,
            "number": number,
            "quantity": quantity,
            "unit": unit,
            "appointment_type_id": type_id,
            "note": text_field(raw.get("text", ""), "text", errors, limit=2000),
        }

    def write(self, items, context):
        result = WriteResult()
        actor = context.actor
        if not has_role(actor, ADMINISTRATOR, SCHEDULER):
            why = "authorizations are added by an administrator or scheduler: run it as one (--by)."
            result.refused = [(item, why) for item in items]
            return result
        payers = Payer.objects.filter(clinic_id=context.clinic_id).in_bulk()
        types = AppointmentType.objects.filter(clinic_id=context.clinic_id).in_bulk()
        chart_cases = PatientChartCase.objects.in_bulk({item.chart_case_id for item in items})
        for item in items:
            row, values = item.row, item.row.values
            chosen = types.get(values["appointment_type_id"])
            try:
                with transaction.atomic():
                    saved = authorization_save(
                        authorization=Authorization(
                            clinic_id=context.clinic_id,
                            chart_case=chart_cases[item.chart_case_id],
                            payer=payers[values["payer_id"]],
                            number=values["number"],
                            first_date=row.date,
                            last_date=values["last_date"],
                            unit=values["unit"],
                            quantity=values["quantity"],
                            note=values["note"],
                        ),
                        appointment_types=[chosen] if chosen else [],
                        by=actor,
                    )
            except ValidationError as error:
                result.refused.append(
                    (item, "authorization not imported: " + " ".join(error.messages))
                )
            else:
                result.written.append((item, saved.pk))
        return result


register_handler(AuthorizationHandler())
