import zoneinfo

from django.utils import timezone


class ClinicTimezoneMiddleware:
    """Show every time in the clinic's own time zone; storage stays in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        clinic = getattr(request.user, "clinic", None) if request.user.is_authenticated else None
        if clinic is not None:
            timezone.activate(zoneinfo.ZoneInfo(clinic.time_zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
