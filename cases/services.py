"""Writes to patient cases. Each is one transaction and leaves one audit entry, which the
case's History screen reads."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone

from accounts.models import User
from cases.history import case_entries, case_snapshot, diff, version_words
from cases.models import AppointmentTypeRule, PatientCase
from clinic.hooks import ServiceTypeAddOption, register_service_type_add_option
from clinic.models import AppointmentType, Clinic, ServiceType
from core import audit
from core.deletion import protected_uses
from core.forms import same_name
from core.models import AuditEntry


@dataclass(frozen=True)
class RuleInput:
    appointment_type: AppointmentType
    allow_requests: bool
    duration_minutes: int | None


class CaseChangedError(Exception):
    """The case was saved by someone else after the screen was opened."""

    def __init__(self, case: PatientCase, entries: list[AuditEntry]):
        super().__init__("The case was changed by someone else.")
        self.case = case
        self.entries = entries


class CaseInUseError(Exception):
    """The case is on charts (or other records) and must not be deleted."""

    def __init__(self, uses: dict[str, int]):
        super().__init__("The case is in use.")
        self.uses = uses


DUPLICATE_NAME = "A patient case with this name already exists in this clinic."


def _record(*, case, action, by, before, after) -> AuditEntry:
    return audit.record(
        clinic_id=case.clinic_id,
        actor=by,
        action=action,
        obj=case,
        changes=diff(before, after),
        # The version the change made: a stale save lists the entries after the one it saw.
        details=version_words(case.version),
    )


def _save_name(case: PatientCase, *, update_fields: list[str] | None = None) -> None:
    """Save, turning a lost race on the unique name into the form's own message."""
    try:
        with transaction.atomic():
            case.save(update_fields=update_fields)
    except IntegrityError as error:
        if (
            same_name(PatientCase.objects.filter(clinic_id=case.clinic_id), case.name)
            .exclude(pk=case.pk)
            .exists()
        ):
            raise ValidationError({"name": DUPLICATE_NAME}) from error
        raise


GONE = (
    "{names} was deleted by someone else a moment ago. Reload the page to see the clinic's "
    "current {what}."
)


def _lock_referenced(service_types, rules) -> None:
    """Lock the service and appointment types the case will point at, and refuse any deleted
    since the form read them. Without this, a type deleted in the same moment surfaced as a
    foreign-key error at COMMIT on PostgreSQL (its constraints are deferred), outside every
    handler: a 500. Deleting a type locks it too, so one of the two waits for the other."""
    service_pks = {service.pk for service in service_types}
    locked = set(
        ServiceType.objects.select_for_update()
        .filter(pk__in=service_pks)
        .values_list("pk", flat=True)
    )
    gone = [service.name for service in service_types if service.pk not in locked]
    if gone:
        raise ValidationError(
            {"service_types": GONE.format(names=", ".join(gone), what="service types")}
        )
    type_pks = {rule.appointment_type.pk for rule in rules}
    locked = set(
        AppointmentType.objects.select_for_update()
        .filter(pk__in=type_pks)
        .values_list("pk", flat=True)
    )
    gone = [rule.appointment_type.name for rule in rules if rule.appointment_type.pk not in locked]
    if gone:
        raise ValidationError(GONE.format(names=", ".join(gone), what="appointment types"))


def _set_services_and_rules(case, service_types, rules) -> None:
    """Write only what differs: an edit that leaves the rules alone does not touch them."""
    service_types, rules = list(service_types), list(rules)
    _lock_referenced(service_types, rules)
    case.service_types.set(service_types, through_defaults={"clinic_id": case.clinic_id})
    existing = {rule.appointment_type_id: rule for rule in case.rules.all()}
    added, changed = [], []
    for rule in rules:
        current = existing.get(rule.appointment_type.pk)
        if current is None:
            added.append(
                AppointmentTypeRule(
                    clinic_id=case.clinic_id,
                    case=case,
                    appointment_type=rule.appointment_type,
                    allow_requests=rule.allow_requests,
                    duration_minutes=rule.duration_minutes,
                )
            )
        elif (current.allow_requests, current.duration_minutes) != (
            rule.allow_requests,
            rule.duration_minutes,
        ):
            current.allow_requests = rule.allow_requests
            current.duration_minutes = rule.duration_minutes
            changed.append(current)
    if added:
        AppointmentTypeRule.objects.bulk_create(added)
    if changed:
        AppointmentTypeRule.objects.bulk_update(changed, ["allow_requests", "duration_minutes"])


@transaction.atomic
def case_create(
    *,
    clinic: Clinic,
    name: str,
    service_types: Iterable[ServiceType],
    rules: Iterable[RuleInput],
    by: User,
) -> PatientCase:
    case = PatientCase(clinic=clinic, name=name, created_by=by, updated_by=by)
    _save_name(case)
    _set_services_and_rules(case, service_types, rules)
    _record(
        case=case,
        action="create",
        by=by,
        before={},
        after=case_snapshot(case),
    )
    return case


@transaction.atomic
def case_update(
    *,
    case: PatientCase,
    expected_version: int,
    name: str,
    service_types: Iterable[ServiceType],
    rules: Iterable[RuleInput],
    by: User,
) -> PatientCase:
    """Save an edit made on a screen that showed ``expected_version`` of the case.

    The version check and the bump are one conditional UPDATE, so of two saves made from the
    same version exactly one wins; the other gets ``CaseChangedError`` and nothing is written.
    A rename touches this one row, however many charts carry the case.
    """
    claimed = PatientCase.objects.filter(pk=case.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        current = PatientCase.objects.get(pk=case.pk)
        entries = list(
            case_entries(current.clinic_id, current.pk)
            .filter(
                details__in=[
                    version_words(version)
                    for version in range(expected_version + 1, current.version + 1)
                ]
            )
            .order_by("at", "pk")
        )
        raise CaseChangedError(current, entries)
    # "Before" is read from the row, never from ``case``: a ModelForm bound to ``case`` has
    # already copied the new name onto it while validating, so a rename would look like no
    # change and be rolled back.
    stored = PatientCase.objects.get(pk=case.pk)
    before = case_snapshot(stored)
    case.version = stored.version
    case.name = name
    case.updated_by = by
    _save_name(case, update_fields=["name", "updated_by", "updated_at"])
    _set_services_and_rules(case, service_types, rules)
    after = case_snapshot(case)
    if before == after:
        # Nothing changed: undo the version bump by rolling back this whole transaction.
        transaction.set_rollback(True)
        case.version = expected_version
        return case
    _record(case=case, action="update", by=by, before=before, after=after)
    return case


def _set_archived(case: PatientCase, *, archived: bool, by: User) -> PatientCase:
    before = case_snapshot(case)
    case.is_archived = archived
    case.archived_at = timezone.now() if archived else None
    case.archived_by = by if archived else None
    case.updated_by = by
    case.version = F("version") + 1
    # Only these columns: a rename saved a moment ago by someone else must not be undone.
    case.save(
        update_fields=[
            "is_archived",
            "archived_at",
            "archived_by",
            "updated_by",
            "updated_at",
            "version",
        ]
    )
    case.refresh_from_db()
    action = "archive" if archived else "restore"
    _record(case=case, action=action, by=by, before=before, after=case_snapshot(case))
    return case


@transaction.atomic
def case_archive(*, case: PatientCase, by: User) -> PatientCase:
    """Hide the case from every picker; the charts that carry it keep it."""
    if case.is_archived:
        raise ValidationError(f"“{case.name}” is already archived.")
    return _set_archived(case, archived=True, by=by)


@transaction.atomic
def case_restore(*, case: PatientCase, by: User) -> PatientCase:
    if not case.is_archived:
        raise ValidationError(f"“{case.name}” is not archived.")
    if case.merged_into_id:
        raise ValidationError(
            f"“{case.name}” was merged into another case: its charts are there now. Undo the "
            "merge from that case's History to bring it back."
        )
    return _set_archived(case, archived=False, by=by)


@transaction.atomic
def case_delete(*, case: PatientCase, by: User) -> None:
    """Delete a case that nothing points at. One that is on a chart is refused, never lost."""
    # Locked first: a chart adding the case at this moment locks it too, so either the add
    # sees it deleted or this sees it in use, never a foreign-key failure at COMMIT.
    case = PatientCase.objects.select_for_update().get(pk=case.pk)
    uses = protected_uses(case)
    if uses:
        raise CaseInUseError(uses)
    before = case_snapshot(case)
    _record(case=case, action="delete", by=by, before=before, after={})
    try:
        with transaction.atomic():
            case.delete()
    except (ProtectedError, IntegrityError) as error:
        # A chart took the case between the check and the delete.
        raise CaseInUseError(protected_uses(case) or {"records": 1}) from error


def _free_default_name(clinic: Clinic, name: str) -> str:
    """The service type's name, or, when a case (maybe archived) already has it, the first of
    "<name> (default)", "<name> (default 2)", ... that is free; at most 100 characters."""
    taken = PatientCase.objects.for_clinic(clinic).filter(name__istartswith=name[:60])
    taken_names = {value.lower() for value in taken.values_list("name", flat=True)}
    candidates = [name] + [
        f"{name[: 100 - len(suffix)]}{suffix}"
        for suffix in [" (default)"] + [f" (default {n})" for n in range(2, 1000)]
    ]
    return next(candidate for candidate in candidates if candidate.lower() not in taken_names)


@transaction.atomic
def case_create_default(
    *, service_type: ServiceType, by: User, dry_run: bool = False
) -> tuple[PatientCase | None, bool]:
    """Give an active service type its default case: named after it, that one service, no
    request rules. Returns ``(case, created)``; a type that already has a non-archived
    single-service case keeps it (``created`` is False), so running this again adds nothing.
    ``dry_run`` only says whether one would be made (the case returned is unsaved)."""
    # Serialise concurrent calls for the same type (two administrators, a command and a
    # screen): the second waits here and then finds the first one's case.
    service_type = ServiceType.objects.select_for_update().get(pk=service_type.pk)
    clinic = service_type.clinic
    existing = PatientCase.objects.defaults_by_service(clinic).get(service_type.pk)
    if existing is not None:
        return existing, False
    if not service_type.is_active:
        return None, False
    name = _free_default_name(clinic, service_type.name)
    if dry_run:
        return PatientCase(clinic=clinic, name=name), True
    # ``case_create`` writes the case's audit entry (its history's "Created").
    case = case_create(clinic=clinic, name=name, service_types=[service_type], rules=[], by=by)
    return case, True


def register_default_case_option() -> None:
    """Offer "Create a default patient case for it" on the Add Service Type screen."""

    def apply(*, service_type: ServiceType, by: User) -> None:
        case_create_default(service_type=service_type, by=by)

    register_service_type_add_option(
        ServiceTypeAddOption(
            field="create_default_case",
            label="Create a default patient case for it",
            help_text="A patient case named after the service type, with that one service. "
            "Imported records of this service type are placed on it.",
            apply=apply,
        )
    )
