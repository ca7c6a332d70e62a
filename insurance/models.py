"""Payers, their authorizations on chart cases, and limits shared by several of a patient's
authorizations. What is left of each is one rule: ``insurance.counting``."""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from charts.models import PatientChartCase
from clinic.models import NAME_MAX_LENGTH, ClinicOwned
from core.concurrency import Versioned
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, role_names
from core.tenancy import ClinicQuerySet, clinic_scoped


class Payer(Versioned, ClinicOwned):
    # Stored trimmed with single spaces, so the constraint's Lower() compares names ignoring
    # case and spaces.
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    is_active = models.BooleanField("Active", default=True)
    requires_authorization = models.BooleanField(
        "Visits need an authorization",
        default=True,
        help_text="A visit on a case with this payer's authorizations must fall inside one.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("clinic", Lower("name"), name="payer_unique_name")]

    def __str__(self) -> str:
        return self.name


class InsuranceSettings(ClinicOwned):
    """The clinic's choices about counting and alerts; one row per clinic, made when first
    saved (``insurance.counting.settings_for`` gives the defaults until then)."""

    count_no_shows = models.BooleanField("No-shows count against authorizations", default=False)
    alert_visits_left = models.PositiveSmallIntegerField(
        "Alert at this many visits or units left", default=2
    )
    alert_days_left = models.PositiveSmallIntegerField(
        "Alert this many days before the last date", default=14
    )
    portal_requests_past_authorization = models.BooleanField(
        "Patients may request visits on a case whose authorizations are used up or expired",
        default=False,
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic"], name="insurance_settings_one")]


class SharedLimitQuerySet(ClinicQuerySet):
    def visible_to(self, user):
        if role_names(user) & {ADMINISTRATOR, SCHEDULER, THERAPIST}:
            return self.for_clinic(user.clinic_id)
        return self.none()


class SharedLimit(Versioned, ClinicOwned):
    """A total that several of one patient's authorizations draw from together
    ("20 PT and 20 OT, 30 in total")."""

    patient = models.ForeignKey(
        "charts.Patient", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    quantity = models.PositiveIntegerField("Total visits or units")

    objects = clinic_scoped(SharedLimitQuerySet)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="sharedlimit_quantity_positive",
                violation_error_message="Enter a total of at least 1.",
            )
        ]
        indexes = [models.Index(fields=["clinic", "patient"])]

    def __str__(self) -> str:
        return self.name


class AuthorizationQuerySet(ClinicQuerySet):
    def visible_to(self, user):
        """Administrators and schedulers: every authorization of the clinic; a therapist:
        those of the chart cases they see (their service types)."""
        roles = role_names(user)
        rows = self.for_clinic(user.clinic_id)
        if roles & {ADMINISTRATOR, SCHEDULER}:
            return rows
        if THERAPIST in roles:
            return rows.filter(
                chart_case__in=PatientChartCase.objects.visible_to(user).values("pk")
            )
        return rows.none()

    def for_display(self):
        return self.select_related("payer", "shared_limit").prefetch_related("appointment_types")


class Authorization(Versioned, ClinicOwned):
    class Unit(models.TextChoices):
        VISITS = "visits", "Visits"
        UNITS = "units", "15-minute units"

    class CapPeriod(models.TextChoices):
        NONE = "", "No cap"
        WEEK = "week", "Per week"
        MONTH = "month", "Per month"

    chart_case = models.ForeignKey(
        "charts.PatientChartCase",
        on_delete=models.PROTECT,
        related_name="authorizations",
        db_index=False,
    )
    # Copied from the chart case (which never changes patient): an authorization number is
    # unique per payer and patient, which the database keeps.
    patient = models.ForeignKey(
        "charts.Patient", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="+", db_index=False)
    number = models.CharField("Authorization number", max_length=50)
    first_date = models.DateField("First date")
    last_date = models.DateField("Last date")
    unit = models.CharField("Counted in", max_length=10, choices=Unit.choices, default=Unit.VISITS)
    quantity = models.PositiveIntegerField("Visits or units authorized")
    # None: every appointment type.
    appointment_types = models.ManyToManyField(
        "clinic.AppointmentType",
        through="AuthorizationType",
        related_name="authorizations",
        blank=True,
    )
    cap_period = models.CharField(
        "Cap", max_length=10, choices=CapPeriod.choices, default="", blank=True
    )
    cap = models.PositiveIntegerField("At most", null=True, blank=True)
    shared_limit = models.ForeignKey(
        SharedLimit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authorizations",
        db_index=False,
    )
    note = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    # The one rule's result (``insurance.counting.tally``), stored for the report's lists and
    # written only by ``insurance.stored.store``, in the transaction of every write that
    # changes it (docs/architecture.md). ``remaining`` is quantity - used - booked.
    used = models.IntegerField(default=0, editable=False)
    booked = models.IntegerField(default=0, editable=False)
    remaining = models.IntegerField(default=0, editable=False)
    # The visits counted here that were booked over or outside, and why.
    override_count = models.PositiveIntegerField(default=0, editable=False)
    override_reasons = models.JSONField(default=list, blank=True, editable=False)

    objects = clinic_scoped(AuthorizationQuerySet)

    class Meta:
        ordering = ["last_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_date__gte=F("first_date")),
                name="authorization_dates_in_order",
                violation_error_message="The last date must not be before the first date.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="authorization_quantity_positive",
                violation_error_message="Enter a quantity of at least 1.",
            ),
            models.CheckConstraint(
                condition=(Q(cap_period="") & Q(cap__isnull=True))
                | (~Q(cap_period="") & Q(cap__gt=0)),
                name="authorization_cap_with_period",
                violation_error_message="Give a cap of at least 1 with its period, or neither.",
            ),
            models.UniqueConstraint(
                fields=["clinic", "payer", "patient", "number"],
                name="authorization_number_unique",
                violation_error_message="This payer already has an authorization with this "
                "number for this patient.",
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "chart_case"]),
            models.Index(fields=["clinic", "patient"]),
            models.Index(fields=["clinic", "last_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.payer} #{self.number}"


class AuthorizationType(ClinicOwned):
    """An appointment type an authorization covers (an explicit table carrying clinic_id, as
    every many-to-many here does)."""

    # Found through the unique constraint, which leads with clinic_id.
    authorization = models.ForeignKey(
        Authorization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    appointment_type = models.ForeignKey(
        "clinic.AppointmentType", on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "authorization", "appointment_type"],
                name="authorizationtype_unique",
            )
        ]
