"""The one audit trail: every change, and every read of patient records, in plain words.

Services call ``record`` inside their transaction, so an entry exists exactly when the change
it describes was committed. Views that show patient records call ``record_access`` once per
page view. The actor's address comes from the request the middleware is handling, if any.
"""

from collections.abc import Iterable, Mapping
from contextvars import ContextVar

from django.db import models
from django.utils.functional import LazyObject, empty

from core.models import ACTION_LABELS, AuditEntry, action_label  # noqa: F401 - re-exported

# The request being handled, set by ``core.middleware.ClinicScopeMiddleware``.
current_request: ContextVar = ContextVar("current_request", default=None)

# Words for the actions the apps record; an action not listed is shown capitalised.

# The kinds of record the Audit Log filters by: object_type → words. An app that records a new
# kind adds it here.
OBJECT_TYPES = {
    "patient": "Patient",
    "patient chart case": "Chart case",
    "goal": "Goal",
    "daily note": "Daily note",
    "evaluation": "Evaluation",
    "reminder": "Reminder",
    "patient case": "Patient case",
    "service type": "Service type",
    "appointment type": "Appointment type",
    "staff member": "Staff member",
    "audit log": "Audit log",
    "user": "User account",
    "portal access": "Portal access",
    "appointment request settings": "Appointment request settings",
    "appointment": "Appointment",
    "appointment series": "Appointment series",
    "fhir api": "FHIR API (searches)",
    "payer": "Payer",
    "authorization": "Authorization",
    "shared limit": "Shared limit",
    "insurance settings": "Insurance settings",
}


def _remote_addr() -> str | None:
    request = current_request.get()
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _object_type(obj: models.Model | None, object_type: str | None) -> str:
    if object_type:
        return object_type
    if obj is None:
        raise ValueError("Name the object_type when there is no object.")
    return str(obj._meta.verbose_name)


def diff(before: Mapping[str, str], after: Mapping[str, str]) -> list[list[str]]:
    """``[[label, before, after], ...]`` for each label whose words differ, in a stable order."""
    labels = list(before) + [label for label in after if label not in before]
    return [
        [label, str(before.get(label, "")), str(after.get(label, ""))]
        for label in labels
        if str(before.get(label, "")) != str(after.get(label, ""))
    ]


def _unwrapped(actor):
    """The user itself, not ``request.user``'s lazy stand-in, which answers each of the
    entry's reads of it (its id, its name, the relation's checks) through a proxy: half the
    cost of making a page's entries (the authorizations report writes 50, bench/)."""
    if isinstance(actor, LazyObject):
        if actor._wrapped is empty:
            actor._setup()
        return actor._wrapped
    return actor


def entry(
    *,
    clinic_id: int,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    object_repr: str | None = None,
    patient=None,
    changes: Iterable[Iterable[str]] = (),
    details: str = "",
    parent: models.Model | None = None,
) -> AuditEntry:
    """An unsaved entry, for ``record_many``; the arguments are ``record``'s. ``parent`` is
    the record ``obj`` hangs off (a note's chart case), whose history then lists it."""
    actor = _unwrapped(actor)
    if object_id is None and obj is not None:
        object_id = obj.pk
    return AuditEntry(
        clinic_id=clinic_id,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(actor.get_full_name() or actor.email) if getattr(actor, "pk", None) else "",
        remote_addr=_remote_addr(),
        action=action,
        object_type=_object_type(obj, object_type),
        object_id="" if object_id is None else str(object_id),
        object_repr=(object_repr if object_repr is not None else str(obj or ""))[:300],
        patient_id=getattr(patient, "pk", None),
        patient_name=str(patient)[:300] if patient is not None else "",
        changes=[list(map(str, change)) for change in changes],
        details=details,
        parent_type=str(parent._meta.verbose_name) if parent is not None else "",
        parent_id=str(parent.pk) if parent is not None else "",
    )


def record(**kwargs) -> AuditEntry:
    """Write one entry. ``actor`` is a user or None (the system, a task); ``patient`` a
    Patient or None; ``changes`` ``[[label, before, after], ...]`` in plain words. The keyword
    arguments are ``entry``'s."""
    audit_entry = entry(**kwargs)
    audit_entry.save()
    return audit_entry


def record_many(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """Write entries made by ``entry`` in one INSERT (a bulk import writes one per patient)."""
    return AuditEntry.objects.bulk_create(list(entries), batch_size=500)


def record_access(request, *, obj: models.Model, patient, what: str = "") -> AuditEntry:
    """One entry for one page view of a patient's records (HIPAA §164.312(b))."""
    return record(
        clinic_id=obj.clinic_id,
        actor=request.user,
        action="access",
        obj=obj,
        patient=patient,
        details=what,
    )
