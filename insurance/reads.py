"""What the insurance screens read: rows shaped for the page, the counts always from the one
rule (``insurance.counting.usage``)."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from insurance.counting import Tally, usage
from insurance.models import Authorization, SharedLimit


@dataclass
class Row:
    authorization: Authorization
    tally: Tally
    types: str
    is_running: bool


def chart_case_authorizations(chart_case, *, today: datetime.date) -> tuple[list[Row], list]:
    """The chart case's authorizations with their counts, latest first, and the patient's
    shared limits with theirs."""
    rows = list(
        Authorization.objects.filter(clinic_id=chart_case.clinic_id, chart_case=chart_case)
        .for_display()
        .order_by("-last_date", "-pk")
    )
    found = usage(chart_case.clinic_id, Q(patient_id=chart_case.patient_id))
    limits = list(
        SharedLimit.objects.filter(clinic_id=chart_case.clinic_id, patient_id=chart_case.patient_id)
    )
    return (
        [
            Row(
                row,
                found.of(row.pk),
                ", ".join(t.name for t in row.appointment_types.all()) or "All types",
                row.first_date <= today <= row.last_date,
            )
            for row in rows
        ],
        [(limit, found.counts.shared.get(limit.pk, Tally(limit.quantity))) for limit in limits],
    )
