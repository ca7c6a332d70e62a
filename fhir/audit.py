"""Every read and search of the API in the one audit trail, with the client that asked."""

from core.audit import record

SEARCH = "fhir api"


def _who(access) -> str:
    client = access.integration.application
    return f"FHIR API, integration “{client.name}” (client {client.client_id})"


def record_read(access, *, resource_type: str, resource_id: str, row: tuple, patient) -> None:
    """``row``: the audit trail's ``(object_type, object_id)`` of what was read."""
    object_type, object_id = row
    record(
        clinic_id=access.clinic.pk,
        actor=access.user,
        action="access",
        object_type=object_type,
        object_id=object_id,
        object_repr=f"{resource_type}/{resource_id}",
        patient=patient,
        details=f"{_who(access)}: read {resource_type}/{resource_id}",
    )


def record_search(access, *, resource_type: str, query: str, total: int) -> None:
    record(
        clinic_id=access.clinic.pk,
        actor=access.user,
        action="access",
        object_type=SEARCH,
        object_id="",
        object_repr=resource_type,
        details=f"{_who(access)}: search {resource_type}?{query} ({total} found)",
    )
