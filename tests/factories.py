"""One factory per model. Related rows share one clinic through the SubFactory."""

import factory
from django.contrib.auth.models import Group

from accounts.models import User
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
