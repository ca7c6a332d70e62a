from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from cases.models import PatientCase, PatientCaseServiceType
from charts.search import parse_date
from clinic.models import ClinicOwned, ClinicQuerySet, clinic_scoped
from core.concurrency import Versioned
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, role_names


def _therapist_case_ids(user) -> list[int]:
    """The ids of the cases sharing one of the therapist's service types: what a therapist
    sees and documents. Read once per request and kept on the user object (as ``role_names``
    keeps the roles), then given to every condition as a list: a chart page asks the rule
    three times (the patient, the tabs, which tabs the user documents), and an ``EXISTS``
    through the case's service types cost ~1 ms of the ORM's Python each time to build, where
    ``case_id IN (...)`` costs a tenth of that (and PostgreSQL plans it faster: a subquery
    through the user's service types tripled the planning time of each statement)."""
    cached = getattr(user, "_therapist_case_ids", None)
    if cached is None:
        # A join through the user's service types, not a subquery of them: half the ORM's
        # work; repeats (a case of two of their service types) removed here, not by DISTINCT.
        cached = sorted(
            set(
                PatientCaseServiceType.objects.filter(
                    clinic_id=user.clinic_id, service_type__therapists=user.pk
                ).values_list("case_id", flat=True)
            )
        )
        user._therapist_case_ids = cached
    return cached


def _therapist_sees_case(user, case_field: str) -> Q:
    """A condition on ``case_field`` (a PatientCase id) that holds when the case shares one of
    the therapist's service types."""
    return Q(**{f"{case_field}__in": _therapist_case_ids(user)})


class PatientQuerySet(ClinicQuerySet):
    def visible_to(self, user):
        """Administrators and schedulers see every patient of their clinic; a therapist sees
        the patients with a chart case of one of their service types."""
        roles = role_names(user)
        patients = self.for_clinic(user.clinic_id)
        if roles & {ADMINISTRATOR, SCHEDULER}:
            return patients
        if THERAPIST in roles:
            visible_chart_cases = PatientChartCase.objects.filter(
                clinic_id=user.clinic_id, patient_id=OuterRef("pk")
            ).filter(_therapist_sees_case(user, "case_id"))
            return patients.filter(Exists(visible_chart_cases))
        return patients.none()

    def search(self, text: str):
        """By name (any part, any order) or date of birth (YYYY-MM-DD or MM/DD/YYYY)."""
        text = " ".join(text.split())
        if not text:
            return self
        born = parse_date(text)
        if born is not None:
            return self.filter(date_of_birth=born)
        condition = Q()
        for word in text.split(" "):
            condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        return self.filter(condition)


class Patient(Versioned, ClinicOwned):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNKNOWN = "unknown", "Unknown"

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=16, choices=Sex.choices, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField("E-mail", blank=True)
    address = models.TextField(blank=True)
    preferred_language = models.CharField(max_length=60, blank=True)

    objects = clinic_scoped(PatientQuerySet)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["clinic", "last_name", "first_name"]),
            models.Index(fields=["clinic", "date_of_birth"]),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


# A chart case still on its chart: one a merge emptied into another (``merged_into``) has left
# it. ``on_chart()`` and ``documentable_condition`` both use this one condition.
ON_CHART = Q(merged_into__isnull=True)


class PatientChartCaseQuerySet(ClinicQuerySet):
    def active(self):
        return self.filter(status=PatientChartCase.Status.ACTIVE)

    def on_chart(self):
        """The chart cases still on their chart: one a merge emptied into another
        (``merged_into``) has left it, for staff screens, the portal and the API alike."""
        return self.filter(ON_CHART)

    def bookable(self):
        """The chart cases a visit may be booked against: active, on their chart, of a case
        still offered (not archived). The booking form, the finder and the front desk's panel
        read this."""
        return self.on_chart().active().filter(case__is_archived=False)

    def visible_to(self, user):
        """Everyone on staff sees the cases on a chart, except that a therapist sees only those
        sharing one of their service types (the others are not even listed)."""
        roles = role_names(user)
        chart_cases = self.for_clinic(user.clinic_id).on_chart()
        if roles & {ADMINISTRATOR, SCHEDULER}:
            return chart_cases
        if THERAPIST in roles:
            return chart_cases.filter(_therapist_sees_case(user, "case_id"))
        return chart_cases.none()

    def documentable_by(self, user):
        """Chart cases whose documentation the user may write: therapists of their services."""
        return self.for_clinic(user.clinic_id).filter(self.documentable_condition(user))

    @staticmethod
    def documentable_condition(user) -> Q:
        """``documentable_by`` as a condition on a chart case of the user's clinic, for a query
        that reads chart cases and asks of each whether the user documents it
        (``annotate_documentable``) without a subquery."""
        if THERAPIST not in role_names(user):
            return Q(pk__in=[])
        # A chart case a merge emptied into another takes no writes.
        return ON_CHART & _therapist_sees_case(user, "case_id")

    def annotate_documentable(self, user):
        """Each chart case with ``documentable``: whether ``documentable_by(user)`` has it (the
        rows must be of the user's clinic, as ``visible_to`` gives them)."""
        return self.annotate(
            documentable=ExpressionWrapper(
                self.documentable_condition(user), output_field=BooleanField()
            )
        )


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
    discharge_evaluation = models.ForeignKey(
        "charts.Evaluation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    referring_provider = models.CharField(max_length=200, blank=True)
    plan_of_care_start = models.DateField("Plan of care starts", null=True, blank=True)
    plan_of_care_end = models.DateField("Plan of care ends (certification)", null=True, blank=True)
    # Set when a merge of cases moved this chart case's documentation onto another chart case
    # of the patient (cases/merge.py): it is then off the chart and takes no writes.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        editable=False,
    )

    objects = clinic_scoped(PatientChartCaseQuerySet)

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
            models.CheckConstraint(
                condition=Q(plan_of_care_start__isnull=True)
                | Q(plan_of_care_end__isnull=True)
                | Q(plan_of_care_end__gte=models.F("plan_of_care_start")),
                name="chartcase_plan_of_care_end_after_start",
                violation_error_message="The plan of care cannot end before it starts.",
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "case", "patient"]),
            models.Index(fields=["clinic", "patient", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.patient}: {self.case}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE
