"""Every read and search of the API in the one audit trail, with the client that asked."""

from core.audit import record

SEARCH = "fhir api"


def _who(access) -> str:
    client = access.integration.application
    return f"FHIR API, integration “{client.name}” (client {client.client_id})"


def record_read(access, *, resource_type: str, resource_id: str, obj, patient) -> None:
    record(
        clinic_id=access.clinic.pk,
        actor=access.user,
        action="access",
        obj=obj if hasattr(obj, "_meta") else None,
        object_type=None if hasattr(obj, "_meta") else SEARCH,
        object_id=resource_id,
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
