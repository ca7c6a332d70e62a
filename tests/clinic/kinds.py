"""The two Basic Setup tables of ``clinic`` share their screens; tests run against both."""

from dataclasses import dataclass, field

from django.urls import reverse

from clinic.models import AppointmentType, ServiceType
from tests.factories import AppointmentTypeFactory, ServiceTypeFactory


@dataclass(frozen=True)
class Kind:
    model: type
    factory: type
    url_prefix: str
    label: str
    # Fields a valid POST needs besides the name.
    extra: dict = field(default_factory=dict)

    def url(self, action: str, obj=None) -> str:
        return reverse(f"{self.url_prefix}_{action}", args=[obj.pk] if obj else [])

    def post_data(self, name: str, *, active: bool = True, **overrides) -> dict:
        # The version a freshly made row has (an add form ignores it).
        data = {"name": name, "version": 1, **self.extra, **overrides}
        if active:
            data["is_active"] = "on"
        return data

    def __str__(self) -> str:
        return self.label


SERVICE_TYPES = Kind(ServiceType, ServiceTypeFactory, "clinic:servicetype", "Service type")
APPOINTMENT_TYPES = Kind(
    AppointmentType,
    AppointmentTypeFactory,
    "clinic:appointmenttype",
    "Appointment type",
    extra={"default_duration_minutes": "45"},
)
KINDS = [SERVICE_TYPES, APPOINTMENT_TYPES]
