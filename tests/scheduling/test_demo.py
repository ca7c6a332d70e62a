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


def test_demo_parent_has_pending_approved_declined_and_expired_requests(db, settings):
    from clinic.models import Clinic
    from scheduling.models import AppointmentRequest

    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)  # safe to run again

    requests = AppointmentRequest.objects.filter(created_by__email="parent@demo.clinic")
    assert sorted(requests.values_list("status", flat=True)) == [
        "approved",
        "declined",
        "expired",
        "pending",
    ]
    assert requests.get(status="approved").appointment is not None
    assert Clinic.objects.get(name="Demo Therapy Clinic").requests_enabled
