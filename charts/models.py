from django.db import models
from django.db.models import Q

from cases.models import PatientCase
from clinic.models import ClinicOwned, ClinicQuerySet


class Patient(ClinicOwned):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["clinic", "last_name", "first_name"]),
            models.Index(fields=["clinic", "date_of_birth"]),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class PatientChartCaseQuerySet(ClinicQuerySet):
    def active(self):
        return self.filter(status=PatientChartCase.Status.ACTIVE)


class PatientChartCase(ClinicOwned):
    """A clinic case placed on one patient's chart. Name and services come from the case."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DISCHARGED = "discharged", "Discharged"

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="chart_cases", db_index=False
    )
    case = models.ForeignKey(
        PatientCase, on_delete=models.PROTECT, related_name="chart_cases", db_index=False
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    started_on = models.DateField()
    discharged_on = models.DateField(null=True, blank=True)

    objects = PatientChartCaseQuerySet.as_manager()

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "patient", "case"],
                condition=Q(status="active"),
                name="chartcase_one_active_per_patient_and_case",
                violation_error_message="This case is already active on the patient's chart.",
            ),
            models.CheckConstraint(
                condition=Q(status="active", discharged_on__isnull=True)
                | Q(status="discharged", discharged_on__isnull=False),
                name="chartcase_discharged_has_date",
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True)
                | Q(discharged_on__gte=models.F("started_on")),
                name="chartcase_discharge_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "case", "patient"]),
            models.Index(fields=["clinic", "patient", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.patient}: {self.case}"
