"""Loading rows for a portal user: only the patients their links name; anything else is a 404
(never say whether another family's patient exists)."""

from django.shortcuts import get_object_or_404

from charts.models import Patient
from portal import reads
from portal.models import PortalLink


def portal_patients(user):
    return Patient.objects.for_clinic(user.clinic_id).filter(
        pk__in=PortalLink.objects.of_user(user).values("patient_id")
    )


def get_portal_patient_for(user, pk) -> Patient:
    return get_object_or_404(portal_patients(user), pk=pk)


def get_portal_chart_case_for(user, pk, *, with_request_choices: bool = False):
    """A chart case of one of the user's own patients (any other is a 404), with its case,
    patient and clinic. With ``with_request_choices``, for the request screen, also what a
    request for it may choose (``request_choices``: ``portal.reads.request_choices``)."""
    from charts.models import PatientChartCase

    chart_case = get_object_or_404(
        PatientChartCase.objects.for_clinic(user.clinic_id)
        .on_chart()
        .filter(patient_id__in=PortalLink.objects.of_user(user).values("patient_id"))
        .select_related("case", "patient"),
        pk=pk,
    )
    # The user's clinic, read with the user: the chart case is of that clinic.
    chart_case.clinic = user.clinic
    if with_request_choices:
        chart_case.request_choices = reads.request_choices(chart_case)
    return chart_case


def get_portal_request_for(user, pk):
    """An appointment request for one of the user's own patients (any other is a 404)."""
    from scheduling.models import AppointmentRequest

    return get_object_or_404(
        AppointmentRequest.objects.for_clinic(user.clinic_id).filter(
            patient_id__in=PortalLink.objects.of_user(user).values("patient_id")
        ),
        pk=pk,
    )


def get_portal_visit_for(user, pk):
    """A visit (appointment) of one of the user's own patients, with what the portal shows of
    it (any other is a 404, never saying whether it exists)."""
    from scheduling.models import Appointment

    return get_object_or_404(
        Appointment.objects.for_clinic(user.clinic_id)
        .filter(patient_id__in=PortalLink.objects.of_user(user).values("patient_id"))
        .for_display(),
        pk=pk,
    )
