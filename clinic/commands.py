"""What management commands share: picking clinics by id or name."""

from django.core.management.base import CommandError

from clinic.models import Clinic
from core.inputs import parse_id


def clinics_from_option(values: list[str] | None) -> list[Clinic]:
    """``--clinic`` values (ids or exact names) as clinics; every clinic when none is given."""
    if not values:
        return list(Clinic.objects.order_by("pk"))
    clinics = []
    for value in values:
        pk = parse_id(value)
        found = Clinic.objects.filter(pk=pk) if pk is not None else Clinic.objects.none()
        clinic = found.first() or Clinic.objects.filter(name__iexact=value.strip()).first()
        if clinic is None:
            raise CommandError(f"No clinic “{value}” (give its id or its exact name).")
        clinics.append(clinic)
    return clinics


def clinic_from_option(value: str) -> Clinic:
    return clinics_from_option([value])[0]
