"""The audit entry of an appointment request's change, written by the request services and by an
appointment's life (``lifecycle``) when a visit's change closes the requests to move it."""

from core.audit import record
from scheduling.models import AppointmentRequest
from scheduling.services.checks import when_text


def audit_request(request: AppointmentRequest, *, actor, action: str, details: str) -> None:
    record(
        clinic_id=request.clinic_id,
        actor=actor,
        action=action,
        obj=request,
        object_type="appointment request",
        object_repr=(
            f"{request.appointment_type} request, "
            f"{when_text(request.start, request.location.tzinfo)}"
        ),
        patient=request.patient,
        details=details,
    )
