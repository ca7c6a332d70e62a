"""A therapist's Today list, shown on their home page (``fusion.views.home``)."""

import datetime

from scheduling.models import Appointment


def todays_appointments(user) -> list[Appointment]:
    """The therapist's appointments of the clinic's today (not cancelled), in order."""
    clinic = user.clinic
    today = clinic.today()
    start = datetime.datetime.combine(today, datetime.time(0), tzinfo=clinic.tzinfo)
    return list(
        Appointment.objects.for_clinic(clinic)
        .filter(therapist=user, start__gte=start, start__lt=start + datetime.timedelta(days=1))
        .not_cancelled()
        .for_display()
        .order_by("start")[:100]
    )
