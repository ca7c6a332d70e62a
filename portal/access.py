"""Loading rows for a portal user: only the patients their links name; anything else is a 404
(never say whether another family's patient exists)."""

from django.http import Http404
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
    """A chart case of one of the user's own patients (any other is a 404). With
    ``with_request_choices``, for the request screen, in one written-out statement
    (``portal.reads.request_chart_case``): what a request for it may choose
    (``request_choices``: ``portal.reads.Choices``) and only the fields that screen reads."""
    from charts.models import PatientChartCase

    if with_request_choices:
        chart_case = reads.request_chart_case(user, pk)
        if chart_case is None:
            raise Http404("No chart case matches the given query.")
        return chart_case
    return get_object_or_404(
        PatientChartCase.objects.for_clinic(user.clinic_id)
        .filter(patient_id__in=PortalLink.objects.of_user(user).values("patient_id"))
        .select_related("case", "patient", "clinic"),
        pk=pk,
    )


def get_portal_request_for(user, pk):
    """An appointment request for one of the user's own patients (any other is a 404)."""
    from scheduling.models import AppointmentRequest

    return get_object_or_404(
        AppointmentRequest.objects.for_clinic(user.clinic_id).filter(
            patient_id__in=PortalLink.objects.of_user(user).values("patient_id")
        ),
        pk=pk,
    )
