from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string

from accounts.emails import queue_password_email
from accounts.models import User
from charts.models import Patient
from core import audit
from core.mail import queue_email
from core.roles import PATIENT, STAFF_ROLES
from portal.models import PortalLink


@transaction.atomic
def portal_invite(
    *,
    patient: Patient,
    email: str,
    relationship: str,
    by: User,
    base_url: str,
    first_name: str = "",
    last_name: str = "",
) -> PortalLink:
    """Give the person with this e-mail address portal access to ``patient``.

    A new address becomes a portal user (role Patient) of the patient's clinic and is e-mailed
    a one-time link to set a password. A portal user the clinic already has gets the patient
    added and is told so by e-mail (with a new link if they never set a password). An address
    of a staff member or of another clinic is refused: a portal account sees only its own
    patients, and one person's account belongs to one clinic."""
    email = email.strip().lower()
    base_url = base_url.rstrip("/") + "/"
    clinic = patient.clinic
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    created = user is None
    if created:
        user = _portal_user_create(clinic, email, first_name, last_name)
    else:
        _check_may_add(user, patient, email)
    link = PortalLink.objects.create(
        clinic=clinic, user=user, patient=patient, relationship=relationship, invited_by=by
    )
    _send_invitation(link, new_account=created or not user.has_usable_password(), base_url=base_url)
    audit.record(
        clinic_id=clinic.pk,
        actor=by,
        action="invite",
        obj=link,
        object_type="portal access",
        object_repr=f"{email} ({link.get_relationship_display()})",
        patient=patient,
        details=(
            f"{email} invited to the patient portal as {link.get_relationship_display()}."
            if created
            else f"{patient} added to the portal account {email}."
        ),
    )
    return link


def _portal_user_create(clinic, email: str, first_name: str, last_name: str) -> User:
    user = User.objects.create_user(
        email=email,
        password=None,
        clinic=clinic,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    user.groups.add(Group.objects.get(name=PATIENT))
    return user


def _check_may_add(user: User, patient: Patient, email: str) -> None:
    """An existing account may get the patient only if it is an active portal account of the
    patient's clinic without access to them yet."""
    clinic = patient.clinic
    roles = set(user.groups.values_list("name", flat=True))
    if user.clinic_id != clinic.pk or PATIENT not in roles or roles & set(STAFF_ROLES):
        raise ValidationError(
            {
                "email": "This e-mail address already belongs to an account that cannot "
                "be used for the portal. Use another address."
            }
        )
    if not user.is_active:
        raise ValidationError({"email": "This portal account is deactivated."})
    if PortalLink.objects.filter(clinic=clinic, user=user, patient=patient).exists():
        raise ValidationError({"email": f"{email} already has portal access to {patient}."})


def _send_invitation(link: PortalLink, *, new_account: bool, base_url: str) -> None:
    """A one-time link to set a password for an account without one; otherwise a note that
    the patient was added."""
    user, patient, clinic = link.user, link.patient, link.clinic
    context = {"patient": patient, "link_row": link}
    subject = f"{clinic.name}: your patient portal"
    if new_account:
        queue_password_email(
            user=user,
            kind="invitation",
            base_url=base_url,
            template="portal/email/invitation.txt",
            subject=subject,
            context=context,
            sender_name=clinic.name,
        )
    else:
        body = render_to_string(
            "portal/email/patient_added.txt",
            {
                **context,
                "user": user,
                "clinic": clinic,
                "portal_url": base_url.rstrip("/") + "/portal/",
            },
        )
        queue_email(to=user.email, subject=subject, body=body, sender_name=clinic.name)
