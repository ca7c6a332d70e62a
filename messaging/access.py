"""The gates of messaging's screens."""

from django.shortcuts import get_object_or_404

from charts.models import PatientContact
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST
from portal.models import PortalLink

# Who may have a calendar feed of their own visits (every staff role): the feed page's gate and
# the user menu's link to it (``fusion.navigation``).
FEED_ROLES = (ADMINISTRATOR, SCHEDULER, THERAPIST)


def get_contact_for(user, pk, *, write: bool = False) -> PatientContact:
    """A contact of the user's clinic (the views allow the front desk only): 404 otherwise."""
    return get_object_or_404(
        PatientContact.objects.for_clinic(user.clinic_id).select_related(
            "patient", "email_consent_by", "text_consent_by"
        ),
        pk=pk,
    )


def own_contacts(user) -> list[PatientContact]:
    """A portal user's own entries among the contacts of the patients they act for: the ones
    with their e-mail address."""
    patients = PortalLink.objects.for_clinic(user.clinic_id).filter(user=user).values("patient_id")
    return list(
        PatientContact.objects.for_clinic(user.clinic_id)
        .filter(patient_id__in=patients, email__iexact=user.email)
        .select_related("patient")
    )
