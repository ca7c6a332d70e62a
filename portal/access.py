"""Loading rows for a portal user: only the patients their links name; anything else is a 404
(never say whether another family's patient exists)."""

from django.db import connections
from django.db.models import TextField
from django.db.models.expressions import RawSQL
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
    ``with_request_choices``, in the same query, what a request for it may choose
    (``request_choices``: ``portal.reads.Choices``), for the request screen."""
    from charts.models import PatientChartCase

    chart_cases = (
        PatientChartCase.objects.for_clinic(user.clinic_id)
        .filter(patient_id__in=PortalLink.objects.of_user(user).values("patient_id"))
        .select_related("case", "patient", "clinic")
    )
    if not with_request_choices:
        return get_object_or_404(chart_cases, pk=pk)
    names = ("choice_rules", "choice_locations", "choice_therapists")
    sql = reads.choices_sql(connections[chart_cases.db].vendor)
    chart_case = get_object_or_404(
        chart_cases.annotate(
            **{
                name: RawSQL(each, params, output_field=TextField())
                for name, each, params in zip(names, sql, reads.CHOICES_PARAMS, strict=True)
            }
        ),
        pk=pk,
    )
    chart_case.request_choices = reads.parse_choices(*(getattr(chart_case, name) for name in names))
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
