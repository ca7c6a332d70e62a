import zoneinfo

from django.utils import timezone
from django_scopes import scope

from core.audit import current_request


class ClinicScopeMiddleware:
    """Run every request inside its user's clinic: queries on clinic data are filtered to that
    clinic (and refused outside any clinic), and times are shown in the clinic's time zone while
    storage stays in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self._scoped(request)
        finally:
            current_request.reset(token)

    def _scoped(self, request):
        user = request.user
        clinic = getattr(user, "clinic", None) if user.is_authenticated else None
        if clinic is None:
            # Anonymous pages (log-in, password reset) and users without a clinic touch no
            # clinic data; any query on it raises.
            timezone.deactivate()
            with scope():
                return self.get_response(request)
        timezone.activate(zoneinfo.ZoneInfo(clinic.time_zone))
        try:
            with scope(clinic=clinic.pk):
                return self.get_response(request)
        finally:
            timezone.deactivate()
