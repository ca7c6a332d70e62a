"""A case's state in plain words, and the difference between two states, for its history."""

from cases.models import PatientCase
from core.models import AuditEntry

REQUESTS = "Requests: "


def describe_rule(allow: bool, minutes: int | None) -> str:
    return f"Allowed, {minutes} min" if allow else "Not allowed"


def case_snapshot(case: PatientCase) -> dict[str, str]:
    """What an administrator sees of a case, as label → words. Reads the rows fresh."""
    services = ", ".join(case.service_types.order_by("name").values_list("name", flat=True))
    snapshot = {"Name": case.name, "Services": services or "none"}
    rules = (
        case.rules.filter(allow_requests=True)
        .select_related("appointment_type")
        .order_by("appointment_type__name")
    )
    for rule in rules:
        snapshot[f"{REQUESTS}{rule.appointment_type.name}"] = describe_rule(
            rule.allow_requests, rule.duration_minutes
        )
    snapshot["Status"] = "Archived" if case.is_archived else "Active"
    return snapshot


def diff(before: dict[str, str], after: dict[str, str]) -> list[list[str]]:
    """``[[label, before, after], ...]`` for each value that differs, in a stable order.

    A snapshot lists only the appointment types open to requests; between two snapshots of
    one case, a type missing on one side was "Not allowed" there.
    """
    labels = list(before) + [label for label in after if label not in before]

    def value(snapshot, label):
        if label in snapshot:
            return snapshot[label]
        return "Not allowed" if snapshot and label.startswith(REQUESTS) else ""

    return [
        [label, value(before, label), value(after, label)]
        for label in labels
        if value(before, label) != value(after, label)
    ]


def version_words(version: int) -> str:
    return f"Version {version}"


def case_entries(clinic_id: int, case_pk: int):
    """The audit entries of one case, newest first (they outlive a deleted case)."""
    return AuditEntry.objects.filter(
        clinic_id=clinic_id, object_type=str(PatientCase._meta.verbose_name), object_id=str(case_pk)
    )
