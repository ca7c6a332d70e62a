"""Writes to payers, authorizations, shared limits and the clinic's insurance settings: one
transaction each, its audit entry, a stale screen refused (``claim_version``). The database
constraints decide; the checks here only give the friendly message by field."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from clinic.models import AppointmentType
from core import audit
from core.concurrency import claim_version
from core.roles import ADMINISTRATOR, SCHEDULER, has_role
from insurance.models import (
    Authorization,
    AuthorizationType,
    InsuranceSettings,
    Payer,
    SharedLimit,
)
from insurance.stored import recount, recount_once


def _require_front_desk(by) -> None:
    if not has_role(by, ADMINISTRATOR, SCHEDULER):
        raise PermissionDenied


def normalise_name(name: str) -> str:
    """Trimmed, inner spaces made single: names then compare ignoring spaces and case."""
    return " ".join((name or "").split())


def _save_or_refuse(row, field: str, message: str) -> None:
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as error:
        raise ValidationError({field: message}) from error


def _write(row, *, by, expected_version, snapshot, before=None, **where) -> None:
    """Save a new or edited row with its audit entry (before/after in plain words; ``before``
    defaults to the stored row's snapshot)."""
    created = row.pk is None
    if before is None:
        before = {} if created else snapshot(type(row).objects.get(pk=row.pk))
    if not created:
        claim_version(row, expected_version)
    _save_or_refuse(row, **where)
    changes = audit.diff(before, snapshot(row))
    if created or changes:
        audit.record(
            clinic_id=row.clinic_id,
            actor=by,
            action="create" if created else "update",
            obj=row,
            object_type=row._meta.verbose_name,
            changes=changes,
            patient=getattr(row, "patient", None),
            parent=getattr(row, "chart_case", None),
        )


def payer_snapshot(payer: Payer) -> dict[str, str]:
    return {
        "Name": payer.name,
        "Visits need an authorization": "Yes" if payer.requires_authorization else "No",
        "Active": "Yes" if payer.is_active else "No",
    }


@transaction.atomic
def payer_save(*, payer: Payer, by, expected_version: int | None = None) -> Payer:
    """Add or change a payer. Payers are never deleted: one no longer used is made inactive."""
    payer.name = normalise_name(payer.name)
    if not payer.name:
        raise ValidationError({"name": "Enter the payer's name."})
    _write(
        payer,
        by=by,
        expected_version=expected_version,
        snapshot=payer_snapshot,
        field="name",
        message=f"A payer named “{payer.name}” exists already (names ignore case and spaces).",
    )
    return payer


def shared_limit_snapshot(limit: SharedLimit) -> dict[str, str]:
    return {"Name": limit.name, "Total": str(limit.quantity)}


@transaction.atomic
def shared_limit_save(*, limit: SharedLimit, by, expected_version: int | None = None):
    _require_front_desk(by)
    limit.name = normalise_name(limit.name)
    errors = {}
    if not limit.name:
        errors["name"] = "Name the shared limit."
    if not isinstance(limit.quantity, int) or limit.quantity < 1:
        errors["quantity"] = "Enter a total of at least 1."
    if limit.patient.clinic_id != limit.clinic_id:
        errors["name"] = "Choose a patient of this clinic."
    if errors:
        raise ValidationError(errors)
    _write(
        limit,
        by=by,
        expected_version=expected_version,
        snapshot=shared_limit_snapshot,
        field="quantity",
        message="Enter a total of at least 1.",
    )
    return limit


def authorization_snapshot(row: Authorization) -> dict[str, str]:
    types = ", ".join(sorted(t.name for t in getattr(row, "_types", None) or [])) or "All"
    cap = f"{row.cap} {row.get_cap_period_display().lower()}" if row.cap_period else "None"
    return {
        "Payer": str(row.payer),
        "Number": row.number,
        "First date": f"{row.first_date:%b %-d, %Y}",
        "Last date": f"{row.last_date:%b %-d, %Y}",
        "Counted in": row.get_unit_display(),
        "Quantity": str(row.quantity),
        "Appointment types": types,
        "Cap": cap,
        "Shared limit": str(row.shared_limit or "None"),
        "Note": row.note,
    }


def _authorization_errors(row: Authorization, types: Sequence[AppointmentType]) -> dict:
    errors = {}
    clinic_id = row.clinic_id
    if row.chart_case.clinic_id != clinic_id:
        errors["chart_case"] = "Choose a chart case of this clinic."
    if row.payer.clinic_id != clinic_id or not (row.payer.is_active or row.pk):
        errors["payer"] = "Choose an active payer of this clinic."
    if not normalise_name(row.number):
        errors["number"] = "Enter the authorization number."
    if row.first_date and row.last_date and row.last_date < row.first_date:
        errors["last_date"] = "The last date must not be before the first date."
    if not isinstance(row.quantity, int) or row.quantity < 1:
        errors["quantity"] = "Enter a quantity of at least 1."
    if any(t.clinic_id != clinic_id for t in types):
        errors["appointment_types"] = "Choose appointment types of this clinic."
    if bool(row.cap_period) != (row.cap is not None):
        errors["cap"] = "Give a cap of at least 1 with its period, or neither."
    elif row.cap is not None and row.cap < 1:
        errors["cap"] = "Give a cap of at least 1."
    limit = row.shared_limit
    if limit is not None and (
        limit.clinic_id != clinic_id or limit.patient_id != row.chart_case.patient_id
    ):
        errors["shared_limit"] = "Choose a shared limit of this patient."
    return errors


@transaction.atomic
def authorization_save(
    *,
    authorization: Authorization,
    appointment_types: Sequence[AppointmentType] = (),
    by,
    expected_version: int | None = None,
) -> Authorization:
    """Add or change an authorization on a chart case (its fields already set). What is left
    is counted from the visits (``insurance.counting``), so the visits already in its dates
    count at once; the stored counts of its chart case are made again before this returns."""
    _require_front_desk(by)
    row = authorization
    row.number = normalise_name(row.number)
    errors = _authorization_errors(row, appointment_types)
    if errors:
        raise ValidationError(errors)
    row.patient_id = row.chart_case.patient_id
    # The patient's authorizations locked in id order first, as a booking locks them
    # (``booking_problems``), so that the recount below never waits crosswise with one.
    list(
        Authorization.objects.filter(clinic_id=row.clinic_id, patient_id=row.patient_id)
        .order_by("pk")
        .select_for_update()
        .values_list("pk", flat=True)
    )
    with recount_once():
        _authorization_write(row, appointment_types, by=by, expected_version=expected_version)
    return row


def _authorization_write(row, appointment_types, *, by, expected_version) -> None:
    before = {}
    if row.pk:
        stored = Authorization.objects.select_related("payer", "shared_limit").get(pk=row.pk)
        # Moved to another chart case: the one it leaves is recounted too.
        recount(row.clinic_id, [stored.chart_case_id])
        stored._types = list(AppointmentType.objects.filter(pk__in=_type_ids(row)))
        before = authorization_snapshot(stored)
    row._types = list(appointment_types)
    _write(
        row,
        by=by,
        expected_version=expected_version,
        snapshot=authorization_snapshot,
        before=before,
        field="number",
        message="This payer already has an authorization with this number for this patient.",
    )
    AuthorizationType.objects.filter(clinic_id=row.clinic_id, authorization=row).delete()
    AuthorizationType.objects.bulk_create(
        AuthorizationType(clinic_id=row.clinic_id, authorization=row, appointment_type=t)
        for t in appointment_types
    )


def _type_ids(row: Authorization) -> list[int]:
    return list(
        AuthorizationType.objects.filter(
            clinic_id=row.clinic_id, authorization_id=row.pk
        ).values_list("appointment_type_id", flat=True)
    )


SETTINGS_FIELDS = [
    "count_no_shows",
    "alert_visits_left",
    "alert_days_left",
    "portal_requests_past_authorization",
]


@transaction.atomic
def settings_save(*, settings: InsuranceSettings, by) -> InsuranceSettings:
    before = InsuranceSettings.objects.filter(pk=settings.pk).first() if settings.pk else None
    snapshot = lambda row: {  # noqa: E731
        str(InsuranceSettings._meta.get_field(name).verbose_name): str(getattr(row, name))
        for name in SETTINGS_FIELDS
    }
    settings.save()
    changes = audit.diff(snapshot(before) if before else {}, snapshot(settings))
    if changes:
        audit.record(
            clinic_id=settings.clinic_id,
            actor=by,
            action="update",
            obj=settings,
            object_type="insurance settings",
            object_repr="Insurance settings",
            changes=changes,
        )
    return settings
