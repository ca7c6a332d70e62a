"""What a chart carries besides its daily documentation: the patient's contacts, a chart case's
diagnoses, and the discharge summary that closes it."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from charts.models.chart import Patient, PatientChartCase
from charts.models.documentation import Signable
from clinic.models import ClinicOwned, ClinicQuerySet, clinic_scoped

# ICD-10-CM: a letter, a digit, a digit or letter, then optionally a dot and one to four digits
# or letters ("F80.0", "R13.12", "S52.521A"). Stored upper-case.
ICD10_PATTERN = r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$"
validate_icd10 = RegexValidator(
    ICD10_PATTERN,
    "Enter an ICD-10-CM code such as F80.0: a letter, two digits or letters, then optionally a "
    "dot and up to four more.",
)


class PatientContactQuerySet(ClinicQuerySet):
    def consented(self, channel: str):
        """Contacts who agreed to messages on ``channel`` ("email" or "text") and have an
        address for it: the one rule for who may be sent anything."""
        if channel == "email":
            return self.filter(email_consent_at__isnull=False).exclude(email="")
        return self.filter(text_consent_at__isnull=False).exclude(phone="")


class PatientContact(ClinicOwned):
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="contacts", db_index=False
    )
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=60, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField("E-mail", blank=True)
    is_guardian = models.BooleanField(
        "Guardian",
        default=False,
        help_text="May act for the patient (a parent of a child, a legal guardian).",
    )
    # Consent to appointment messages, per channel: when it was given and who recorded it
    # (None when the contact gave it themselves). Nothing is sent without it.
    email_consent_at = models.DateTimeField(null=True, blank=True)
    email_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    text_consent_at = models.DateTimeField(null=True, blank=True)
    text_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    objects = clinic_scoped(PatientContactQuerySet)

    class Meta:
        ordering = ["-is_guardian", "name", "pk"]
        indexes = [models.Index(fields=["clinic", "patient"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})" if self.relationship else self.name


class Diagnosis(ClinicOwned):
    class Kind(models.TextChoices):
        TREATMENT = "treatment", "Treatment diagnosis"
        MEDICAL = "medical", "Medical diagnosis"

    chart_case = models.ForeignKey(
        PatientChartCase, on_delete=models.PROTECT, related_name="diagnoses", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TREATMENT)
    code = models.CharField("ICD-10-CM code", max_length=8, validators=[validate_icd10])
    description = models.CharField(max_length=200)

    objects = clinic_scoped(ClinicQuerySet)

    class Meta:
        ordering = ["-kind", "pk"]
        verbose_name_plural = "diagnoses"
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "chart_case", "kind", "code"],
                name="diagnosis_once_per_chart_case_and_kind",
                violation_error_message="This diagnosis is already on the case.",
            ),
            models.CheckConstraint(
                condition=Q(code__regex=ICD10_PATTERN),
                name="diagnosis_code_icd10_format",
            ),
        ]
        indexes = [models.Index(fields=["clinic", "chart_case"])]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class DischargeSummary(Signable):
    """Written and signed in the same step as the discharge it records, by its author: there is
    never a draft for someone else to sign or delete (the rule notes and evaluations keep with
    ``_require_author``), and the database holds every row to it."""

    chart_case = models.ForeignKey(
        PatientChartCase,
        on_delete=models.PROTECT,
        related_name="discharge_summaries",
        db_index=False,
    )
    date = models.DateField("Discharge date")
    reason = models.TextField("Reason for discharge")
    # [[goal text, status at discharge], ...] in plain words, as signed.
    goal_statuses = models.JSONField(default=list, blank=True)
    recommendations = models.TextField(blank=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name_plural = "discharge summaries"
        indexes = [models.Index(fields=["clinic", "chart_case", "-date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=False, signed_by=models.F("author")),
                name="dischargesummary_signed_by_its_author",
                violation_error_message="A discharge summary is signed by its author.",
            )
        ]

    def __str__(self) -> str:
        return f"Discharge summary of {self.date:%b %-d, %Y}"

    @property
    def has_content(self) -> bool:
        return bool(self.reason.strip())
