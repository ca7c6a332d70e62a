from django.conf import settings
from django.db import models
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Lower

from clinic.models import (
    NAME_MAX_LENGTH,
    AppointmentType,
    ClinicOwned,
    ClinicQuerySet,
    ServiceType,
    clinic_scoped,
    duration_constraint,
    unique_name_constraint,
)
from core.aggregates import json_list_of
from core.deletion import with_in_use
from core.roles import STAFF_ROLES, role_names
from core.sql import read_json_list


class SubqueryCount(Subquery):
    """The number of rows a subquery returns, as one scalar subquery.

    ``COUNT(*)`` over ``SELECT DISTINCT patient_id ... WHERE clinic_id = ? AND case_id = ?`` is
    read from the ``(clinic, case, patient)`` index in order; ``COUNT(DISTINCT ...)`` would sort
    every chart case of a large case on each request.
    """

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def pickable_condition(through: str = "") -> Q:
    """The condition of ``PatientCaseQuerySet.pickable``, on the cases reached through a
    relation (``through="patient_cases__"``) where a count or filter of another model needs
    it."""
    return Q(**{f"{through}is_archived": False})


class PatientCaseQuerySet(ClinicQuerySet):
    def visible_to(self, user):
        """The cases of the user's clinic, for staff: administrators set them up, schedulers
        book with them, therapists add them to charts. Portal users reach none here."""
        if not role_names(user) & set(STAFF_ROLES):
            return self.none()
        return self.for_clinic(user.clinic_id)

    def pickable(self):
        """Cases that may be chosen for anything new: archived cases never are."""
        return self.filter(pickable_condition())

    def single_service(self):
        """Cases with exactly one service type: a service type's default case is one of them."""
        services = PatientCaseServiceType.objects.filter(
            clinic=OuterRef("clinic"), case=OuterRef("pk")
        ).order_by()
        return self.annotate(service_count=SubqueryCount(services.values("pk"))).filter(
            service_count=1
        )

    def defaults_by_service(self, clinic) -> dict:
        """``{service type id: case}``: each service type's default case, the one its chart
        cases are created on when records are imported. A default case is a non-archived case
        whose only service is that type; when there are several, the one named after the type
        (ignoring case), then the oldest. One query."""
        links = (
            PatientCaseServiceType.objects.filter(
                clinic=clinic, case__in=self.for_clinic(clinic).pickable().single_service()
            )
            .select_related("case", "service_type")
            .order_by("case_id")
        )
        defaults: dict = {}
        for link in links:
            named_after = link.case.name.lower() == link.service_type.name.lower()
            current = defaults.get(link.service_type_id)
            if current is None or (
                named_after and current.name.lower() != link.service_type.name.lower()
            ):
                defaults[link.service_type_id] = link.case
        return defaults

    def recount_patients(self) -> int:
        """Set ``patient_count`` from the charts themselves, for these cases; one UPDATE."""
        patients = self._chart_cases().values("patient").distinct()
        return self.update(patient_count=SubqueryCount(patients))

    def _chart_cases(self):
        # Charts sit below cases; the model is reached through the relation, not an import.
        chart_case_model = self.model._meta.get_field("chart_cases").related_model
        # No ORDER BY: the model's default ordering would join the DISTINCT and sort the rows.
        return chart_case_model.objects.filter(
            clinic=OuterRef("clinic"), case=OuterRef("pk")
        ).order_by()

    def with_chart_counts(self):
        """Annotate how many chart cases carry each case (a patient may have it twice: once
        discharged, once again active): the edit screen's impact warning counts those."""
        return self.annotate(
            # Counting patient ids (not row ids) keeps this an index-only count.
            chart_case_count=SubqueryCount(self._chart_cases().values("patient"))
        )

    def for_setup_list(self):
        """The cases of the Patient Cases list, by name, each with its service types' ids and
        the types patients may request (``AppointmentTypeRule.objects.requestable()``) as JSON
        text (``services``: ``[service type id, ...]``; ``requestable``: ``[[type name,
        minutes], ...]``; both unsorted: read them with ``setup_list_details``). One query for
        a page: a prefetch of the services and a query of the rules were two more, each with an
        ``IN`` list of the page's cases. The services are ids, named from the clinic's service
        types the list reads anyway (``services_with_active_case_counts``): joining their names
        in was a hash join per row. Each subquery reads rows of the outer case's own clinic."""
        links = PatientCaseServiceType.objects.filter(clinic=OuterRef("clinic"))
        rules = AppointmentTypeRule.objects.filter(clinic=OuterRef("clinic")).requestable()
        # ``in_use``: what the delete refuses over (``case_delete``), so that the row offers
        # Archive rather than a Delete that would be refused.
        return (
            with_in_use(self, protected=True)
            .annotate(
                services=json_list_of(links, "case", "service_type"),
                requestable=json_list_of(
                    rules, "case", "appointment_type__name", "duration_minutes"
                ),
            )
            # Ignoring case, so that the order does not hang on the database's collation
            # ("apraxia" after "Speech Therapy" under C collation and SQLite); names are unique
            # ignoring case within a clinic, so the order is also stable for pagination.
            .order_by(Lower("name"), "pk")
        )


SETUP_LIST_FIELDS = (
    "pk",
    "name",
    "is_archived",
    "patient_count",
    "in_use",
    "services",
    "requestable",
)


def services_with_active_case_counts(clinic):
    """The clinic's service types by name as rows (``pk, name, is_active, case_count``), with
    how many pickable cases have each: the Patient Cases list's guidance line and its filter.
    A count over the join (links are unique per case and service)."""
    return (
        ServiceType.objects.for_clinic(clinic)
        .annotate(
            case_count=Count(
                "patient_cases",
                # Cases of the service type's own clinic only, as every read of this list.
                filter=pickable_condition("patient_cases__") & Q(patient_cases__clinic=F("clinic")),
            )
        )
        .order_by("name")
        .values_list("pk", "name", "is_active", "case_count", named=True)
    )


def setup_list_details(row, service_names: dict) -> tuple[list[str], list[tuple[str, int]]]:
    """A row of ``for_setup_list``'s services and requestable types, read and sorted by name;
    ``service_names``: ``{id: name}`` of the clinic's service types (an id of none of them,
    which no form lets a case have, is left out rather than named from another clinic)."""
    services = [service_names[pk] for pk in read_json_list(row.services) if pk in service_names]
    requestable = read_json_list(row.requestable)
    if len(services) > 1:
        services.sort(key=str.lower)
    if len(requestable) > 1:
        requestable.sort(key=lambda pair: pair[0].lower())
    return services, requestable


class PatientCase(ClinicOwned):
    """A clinic-level case: a name and one or more service types (shared when several).

    Chart cases point at this row; nothing copies its name or services, so an edit here is
    seen on every chart at once.
    """

    name = models.CharField("Case name", max_length=NAME_MAX_LENGTH)
    service_types = models.ManyToManyField(
        ServiceType,
        through="PatientCaseServiceType",
        related_name="patient_cases",
        verbose_name="Services",
    )
    is_archived = models.BooleanField("Archived", default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    # No index of their own on the foreign keys to users: users are never deleted and nothing
    # looks cases up by who changed them (docs/scaling.md).
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Raised by every save; a save that names an older version was made from a stale screen.
    version = models.PositiveIntegerField(default=1)
    # How many patients have the case on their chart, kept by ``charts.services.chart_case_add``
    # (chart cases are never deleted) and rebuilt by ``cases.services.case_recount_patients``
    # after bulk loads. Counting it live cost the Patient Cases list more than all its other
    # queries together at 25,000 charts on one case (see bench/).
    patient_count = models.PositiveIntegerField(default=0, editable=False)
    # Set when the case was merged into another (cases/merge.py); such a case is archived.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        editable=False,
    )

    objects = clinic_scoped(PatientCaseQuerySet)

    class Meta:
        ordering = ["name"]
        constraints = [
            unique_name_constraint("patientcase_unique_name_per_clinic"),
            models.CheckConstraint(
                condition=Q(is_archived=False, archived_at__isnull=True)
                | Q(is_archived=True, archived_at__isnull=False),
                name="patientcase_archived_has_time",
            ),
        ]
        indexes = [models.Index(fields=["clinic", "is_archived", "name"])]

    def __str__(self) -> str:
        return self.name


class PatientCaseServiceType(ClinicOwned):
    """The services of a case. Its own table so that it carries the clinic like every other."""

    case = models.ForeignKey(
        PatientCase, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "case", "service_type"], name="patientcaseservice_unique"
            )
        ]
        indexes = [models.Index(fields=["clinic", "service_type"])]


class AppointmentTypeRuleQuerySet(ClinicQuerySet):
    def requestable(self):
        """The rules patients may request: allowed, of an appointment type still active. The
        one copy of "requestable" that the portal, the case list, the request services and
        their validation compose (with ``for_clinic`` and a case)."""
        return self.filter(allow_requests=True, appointment_type__is_active=True)

    def requestable_for(self, chart_case):
        """The requestable rules of a chart case's case (anything with ``clinic_id`` and
        ``case_id``), with their appointment types, by type name."""
        return (
            self.for_clinic(chart_case.clinic_id)
            .filter(case_id=chart_case.case_id)
            .requestable()
            .select_related("appointment_type")
            .order_by("appointment_type__name", "pk")
        )


class AppointmentTypeRule(ClinicOwned):
    """Per case and appointment type: may patients request it, and for how many minutes."""

    case = models.ForeignKey(
        PatientCase, on_delete=models.CASCADE, related_name="rules", db_index=False
    )
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="case_rules", db_index=False
    )
    allow_requests = models.BooleanField("Allow", default=False)
    duration_minutes = models.PositiveSmallIntegerField("Duration", null=True, blank=True)

    objects = clinic_scoped(AppointmentTypeRuleQuerySet)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "case", "appointment_type"], name="appointmenttyperule_unique"
            ),
            duration_constraint(
                "duration_minutes", "appointmenttyperule_duration_valid", nullable=True
            ),
            models.CheckConstraint(
                condition=Q(allow_requests=False) | Q(duration_minutes__isnull=False),
                name="appointmenttyperule_allowed_has_duration",
                violation_error_message="An allowed appointment type needs a duration.",
            ),
        ]
        indexes = [models.Index(fields=["clinic", "appointment_type"])]

    def __str__(self) -> str:
        return f"{self.case}: {self.appointment_type}"


# The merge's own records (cases/merge.py), in their own module.
from cases.merge_models import CaseMerge, MoveRecord  # noqa: E402, F401
