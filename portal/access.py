"""Loading rows for a portal user: only the patients their links name; anything else is a 404
(never say whether another family's patient exists)."""

from django.shortcuts import get_object_or_404

from charts.models import Patient
from portal.models import PortalLink


def portal_patients(user):
    return Patient.objects.for_clinic(user.clinic_id).filter(
        pk__in=PortalLink.objects.of_user(user).values("patient_id")
    )


def get_portal_patient_for(user, pk) -> Patient:
    return get_object_or_404(portal_patients(user), pk=pk)
