"""``{{ moment|machine_time }}``: the value of a ``<time datetime="...">`` attribute."""

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def machine_time(value) -> str:
    """The moment in the current (the clinic's) time zone, to the second, with its offset:
    ``2026-12-07T03:51:04-05:00``. Django's ``date:"c"`` writes six digits of a second when
    the moment has them, and HTML allows at most three (the W3C checker's error)."""
    if not isinstance(value, datetime.datetime):
        return ""
    if timezone.is_aware(value):
        local = timezone.localtime(value)
        if local.utcoffset() % datetime.timedelta(minutes=1):
            # A zone's offset of old (local mean time) to the second: HTML takes whole minutes.
            local = value.astimezone(datetime.UTC)
        value = local
    return value.isoformat(timespec="seconds")
