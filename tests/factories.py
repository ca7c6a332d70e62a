"""One factory per model. Related rows share one clinic through the SubFactory."""

import factory
from django.contrib.auth.models import Group

from accounts.models import User
from cases.models import AppointmentTypeRule, PatientCase
from charts.models import Patient, PatientChartCase
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
            self.groups.set(Group.objects.filter(name__in=extracted))

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
    class Meta:
        model = PatientChartCase

    case = factory.SubFactory(PatientCaseFactory)
    clinic = factory.SelfAttribute("case.clinic")
    patient = factory.SubFactory(PatientFactory, clinic=factory.SelfAttribute("..clinic"))
    started_on = factory.Faker("date_between", start_date="-1y", end_date="today")
