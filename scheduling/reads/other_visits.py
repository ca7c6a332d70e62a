"""The patient's other visits around a time being booked, moved or approved: those of that
day and that week (Monday to Sunday where the visit takes place), and which of that day share
a service with the case being booked. The front desk is warned, never refused: two visits of
one service on one day can be intended (a co-treatment, an evaluation and a treatment)."""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Prefetch

from cases.models import PatientCaseServiceType
from scheduling import slots
from scheduling.models import Appointment


@dataclass
class OtherVisits:
    day: datetime.date
    week: list = field(default_factory=list)
    same_day: list = field(default_factory=list)
    same_service: list = field(default_factory=list)

    def warning(self, patient) -> str | None:
        """The words of the warning, or None when no other visit of the day shares a service
        with this one."""
        if not self.same_service:
            return None
        times = ", ".join(
            f"{v.local_start:%-I:%M %p} ({v.chart_case.case.name})" for v in self.same_service
        )
        return (
            f"{patient} has another visit of the same service on {self.day:%a %b %-d}: {times}. "
            "Check with the family that more than one visit that day is meant."
        )


def other_visits(
    *,
    clinic_id: int,
    patient_id: int,
    case_id: int,
    start: datetime.datetime,
    tz: ZoneInfo,
    exclude_pk: int | None = None,
) -> OtherVisits:
    """The patient's not-cancelled visits in the week of ``start`` other than ``exclude_pk``.
    Two queries (the visits with their case's services, and the booked case's services)."""
    local = start.astimezone(tz)
    monday = local.date() - datetime.timedelta(days=local.weekday())
    week = (
        slots.day_bounds(monday, tz)[0],
        slots.day_bounds(monday + datetime.timedelta(days=6), tz)[1],
    )
    services = PatientCaseServiceType.objects.for_clinic(clinic_id)
    visits = (
        Appointment.objects.for_clinic(clinic_id)
        .not_cancelled()
        .filter(patient_id=patient_id, start__gte=week[0], start__lt=week[1])
        .exclude(pk=exclude_pk)
        .for_display()
        .prefetch_related(Prefetch("chart_case__case__service_types", to_attr="services"))
        .order_by("start", "pk")
    )
    visits = list(visits)
    booked = set(services.filter(case_id=case_id).values_list("service_type_id", flat=True))
    found = OtherVisits(day=local.date(), week=visits)
    found.same_day = [v for v in visits if v.start.astimezone(tz).date() == local.date()]
    found.same_service = [
        v for v in found.same_day if booked & {s.pk for s in v.chart_case.case.services}
    ]
    return found
