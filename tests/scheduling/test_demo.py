from django.core.management import call_command

from scheduling.models import Appointment, Location


def test_demo_has_locations_and_a_living_calendar(db, settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)  # safe to run again

    assert Location.objects.filter(available_for_requests=True).count() == 1
    assert Location.objects.count() == 2
    assert Appointment.objects.filter(series__isnull=False).count() == 8
    assert Appointment.objects.filter(series__isnull=True).count() > 40
