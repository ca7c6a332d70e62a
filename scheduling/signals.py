"""Linking a daily note to the appointment it documents. Charts knows nothing of
appointments (it sits below scheduling), so scheduling listens for a new note: the therapist's
appointment on the same chart case and date of service that has no note yet gets it."""

import datetime

from django.db.models.signals import post_save
from django.dispatch import Signal, receiver
from django_scopes import scope

from charts.models import DailyNote
from scheduling.models import Appointment


@receiver(post_save, sender=DailyNote, dispatch_uid="scheduling_link_daily_note")
def link_daily_note(sender, instance: DailyNote, created: bool, raw: bool = False, **kwargs):
    if not created or raw:
        return
    # Notes may be written outside a request (an import, the demo): say which clinic.
    with scope(clinic=instance.clinic_id):
        _link(instance)


def _link(instance: DailyNote) -> None:
    day = instance.date_of_service
    # Times are UTC and each location has its own zone: look a day either side, then compare
    # local dates.
    around = (
        Appointment.objects.filter(
            clinic_id=instance.clinic_id,
            chart_case_id=instance.chart_case_id,
            therapist_id=instance.author_id,
            daily_note__isnull=True,
            start__gte=datetime.datetime.combine(
                day - datetime.timedelta(days=1), datetime.time(0), tzinfo=datetime.UTC
            ),
            start__lt=datetime.datetime.combine(
                day + datetime.timedelta(days=2), datetime.time(0), tzinfo=datetime.UTC
            ),
        )
        .not_cancelled()
        .select_related("location")
        .order_by("start")
    )
    for appointment in around:
        if appointment.local_start.date() == day:
            Appointment.objects.filter(pk=appointment.pk, daily_note__isnull=True).update(
                daily_note=instance
            )
            return


# Sent by the booking services inside their transaction, once per appointment written, with
# ``appointment`` and ``change`` ("booked", "moved" or "cancelled"). Apps above scheduling
# (messaging: families are told) listen; scheduling never imports them.
appointment_changed = Signal()
