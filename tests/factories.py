"""One factory per model. Related rows share one clinic through the SubFactory."""

import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from cases.models import AppointmentTypeRule, PatientCase
from charts.models import DailyNote, Evaluation, Goal, Patient, PatientChartCase, Reminder
from clinic.models import AppointmentType, Clinic, ServiceType


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    time_zone = "America/New_York"


class ServiceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceType

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Service {n}")


class AppointmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentType

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Visit {n}")
    default_duration_minutes = 45


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    clinic = factory.SubFactory(ClinicFactory)
    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct-horse-battery-9")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            # get_or_create: a transactional test (the worker's, the browser's) empties the
            # database when it ends, the role groups the migration made included, and a test
            # that asks for its database lazily may run after one.
            self.groups.set([Group.objects.get_or_create(name=name)[0] for name in extracted])

    @factory.post_generation
    def service_types(self, create, extracted, **kwargs):
        if create and extracted:
            self.service_types.set(extracted)


class PatientCaseFactory(factory.django.DjangoModelFactory):
    """A case with its services; pass ``service_types=[...]`` (same clinic)."""

    class Meta:
        model = PatientCase
        skip_postgeneration_save = True

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Case {n}")
    created_by = factory.SubFactory(UserFactory, clinic=factory.SelfAttribute("..clinic"))
    updated_by = factory.SelfAttribute("created_by")

    @factory.post_generation
    def service_types(self, create, extracted, **kwargs):
        if create and extracted:
            self.service_types.set(extracted, through_defaults={"clinic_id": self.clinic_id})


class AppointmentTypeRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentTypeRule

    case = factory.SubFactory(PatientCaseFactory)
    clinic = factory.SelfAttribute("case.clinic")
    appointment_type = factory.SubFactory(
        AppointmentTypeFactory, clinic=factory.SelfAttribute("..clinic")
    )
    allow_requests = True
    duration_minutes = 45


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=2, maximum_age=90)


class PatientChartCaseFactory(factory.django.DjangoModelFactory):
    """Made directly, not through ``chart_case_add``: the case's patient count is rebuilt."""

    class Meta:
        model = PatientChartCase

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        chart_case = super()._create(model_class, *args, **kwargs)
        PatientCase.objects.filter(pk=chart_case.case_id).recount_patients()
        return chart_case

    case = factory.SubFactory(PatientCaseFactory)
    clinic = factory.SelfAttribute("case.clinic")
    patient = factory.SubFactory(PatientFactory, clinic=factory.SelfAttribute("..clinic"))
    # A fixed day well in the past of the clinic's calendar: the UTC date is a day ahead of
    # an American clinic's every evening, so "today" in UTC may be tomorrow for the clinic.
    started_on = factory.LazyAttribute(
        lambda row: row.clinic.today() - datetime.timedelta(days=120)
    )


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    chart_case = factory.SubFactory(PatientChartCaseFactory)
    clinic = factory.SelfAttribute("chart_case.clinic")
    kind = Goal.Kind.LONG_TERM
    text = factory.Sequence(lambda n: f"Goal {n}: produce target sounds in sentences")
    start_date = factory.SelfAttribute("chart_case.started_on")
    target_date = factory.LazyAttribute(lambda goal: goal.start_date + datetime.timedelta(days=90))
    created_by = factory.SubFactory(UserFactory, clinic=factory.SelfAttribute("..clinic"))


class DailyNoteFactory(factory.django.DjangoModelFactory):
    """Unsigned unless ``signed_by`` is given."""

    class Meta:
        model = DailyNote

    chart_case = factory.SubFactory(PatientChartCaseFactory)
    clinic = factory.SelfAttribute("chart_case.clinic")
    author = factory.SubFactory(UserFactory, clinic=factory.SelfAttribute("..clinic"))
    date_of_service = factory.LazyAttribute(lambda row: row.clinic.today())
    subjective = "Arrived on time, cooperative."
    objective = "Produced /s/ in 8 of 10 words."
    assessment = "Progressing toward the goal."
    plan = "Continue twice weekly."
    signed_at = factory.LazyAttribute(lambda note: timezone.now() if note.signed_by else None)
    signed_by = None


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluation

    chart_case = factory.SubFactory(PatientChartCaseFactory)
    clinic = factory.SelfAttribute("chart_case.clinic")
    author = factory.SubFactory(UserFactory, clinic=factory.SelfAttribute("..clinic"))
    kind = Evaluation.Kind.INITIAL
    date = factory.LazyAttribute(lambda row: row.clinic.today())
    findings = "Mild articulation disorder."
    recommendations = "Speech therapy twice weekly for 12 weeks."
    signed_at = factory.LazyAttribute(lambda doc: timezone.now() if doc.signed_by else None)
    signed_by = None


class ReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reminder

    chart_case = factory.SubFactory(PatientChartCaseFactory)
    clinic = factory.SelfAttribute("chart_case.clinic")
    text = "Send the progress report"
    due_on = factory.LazyAttribute(lambda row: row.clinic.today())
    created_by = factory.SubFactory(UserFactory, clinic=factory.SelfAttribute("..clinic"))


# Scheduling ---------------------------------------------------------------------------------


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "scheduling.Location"

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Location {n}")
    time_zone = factory.SelfAttribute("clinic.time_zone")


class AppointmentFactory(factory.django.DjangoModelFactory):
    """Made directly, not through ``appointment_book``: no hours, availability or overlap
    checks (the database's constraint still holds on PostgreSQL)."""

    class Meta:
        model = "scheduling.Appointment"

    chart_case = factory.SubFactory(PatientChartCaseFactory)
    clinic = factory.SelfAttribute("chart_case.clinic")
    patient = factory.SelfAttribute("chart_case.patient")
    therapist = factory.SubFactory(UserFactory, clinic=factory.SelfAttribute("..clinic"))
    location = factory.SubFactory(LocationFactory, clinic=factory.SelfAttribute("..clinic"))
    appointment_type = factory.SubFactory(
        AppointmentTypeFactory, clinic=factory.SelfAttribute("..clinic")
    )
    start = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    duration_minutes = 45
    end = factory.LazyAttribute(
        lambda row: row.start + datetime.timedelta(minutes=row.duration_minutes)
    )
    created_by = factory.SelfAttribute("therapist")


class PortalLinkFactory(factory.django.DjangoModelFactory):
    """A portal user's access to a patient; pass ``user`` and ``patient`` of one clinic."""

    class Meta:
        model = "portal.PortalLink"

    patient = factory.SubFactory(PatientFactory)
    clinic = factory.SelfAttribute("patient.clinic")
    user = factory.SubFactory(
        UserFactory, clinic=factory.SelfAttribute("..clinic"), roles=["Patient"]
    )
    relationship = "parent"


# The clinical working day (issue 12): contacts, diagnoses, discharge summaries --------------


class PatientContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "charts.PatientContact"

    patient = factory.SubFactory(PatientFactory)
    clinic = factory.SelfAttribute("patient.clinic")
    name = "Maria Carter"
    relationship = "Mother"
    phone = "555-0100"
    email = "maria.carter@example.com"
    is_guardian = True


class DiagnosisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "charts.Diagnosis"

    chart_case = factory.SubFactory(PatientChartCaseFactory)
    clinic = factory.SelfAttribute("chart_case.clinic")
    kind = "treatment"
    code = "F80.0"
    description = "Phonological disorder"


class DischargeSummaryFactory(factory.django.DjangoModelFactory):
    """Signed, as every discharge summary is."""

    class Meta:
        model = "charts.DischargeSummary"

    chart_case = factory.SubFactory(PatientChartCaseFactory)
    clinic = factory.SelfAttribute("chart_case.clinic")
    author = factory.SubFactory(UserFactory, clinic=factory.SelfAttribute("..clinic"))
    date = factory.LazyAttribute(lambda row: row.clinic.today())
    reason = "Goals met."
    goal_statuses = factory.LazyFunction(lambda: [["Say /s/", "Met"]])
    recommendations = "Home practice."
    signed_at = factory.LazyFunction(timezone.now)
    signed_by = factory.SelfAttribute("author")
    signature = "Electronically signed by the author"


class PayerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "insurance.Payer"

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Payer {n}")


class AuthorizationFactory(factory.django.DjangoModelFactory):
    """Made directly, not through ``authorization_save`` (no audit entry)."""

    class Meta:
        model = "insurance.Authorization"

    chart_case = factory.SubFactory(PatientChartCaseFactory)
    clinic = factory.SelfAttribute("chart_case.clinic")
    patient = factory.SelfAttribute("chart_case.patient")
    payer = factory.SubFactory(PayerFactory, clinic=factory.SelfAttribute("..clinic"))
    number = factory.Sequence(lambda n: f"A{n:05}")
    first_date = factory.LazyAttribute(lambda row: row.clinic.today() - datetime.timedelta(days=30))
    last_date = factory.LazyAttribute(lambda row: row.clinic.today() + datetime.timedelta(days=60))
    quantity = 12
