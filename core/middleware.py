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


class QueryStringGuardMiddleware:
    """Answer 400 with a plain message to a query string that carries control characters (a
    NUL makes PostgreSQL refuse the search outright) or a value too long to mean anything,
    before any view or query sees it. Form fields get the same check next to the field
    (``core.inputs``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponseBadRequest

        from core.inputs import QUERY_VALUE_MAX_LENGTH, has_control_characters

        for key, values in request.GET.lists():
            for text in [key, *values]:
                if has_control_characters(text):
                    return HttpResponseBadRequest(
                        "The address contains control characters (such as NUL), which are "
                        "not allowed. Remove them and try again.",
                        content_type="text/plain; charset=utf-8",
                    )
                if len(text) > QUERY_VALUE_MAX_LENGTH:
                    return HttpResponseBadRequest(
                        f"A search or filter in the address is longer than "
                        f"{QUERY_VALUE_MAX_LENGTH} characters. Shorten it and try again.",
                        content_type="text/plain; charset=utf-8",
                    )
        return self.get_response(request)


# Features no screen uses; a browser refuses them to any script that would ask.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class PrivacyHeadersMiddleware:
    """``Permissions-Policy`` on every response, and ``Cache-Control: no-store, private`` on
    every response to a logged-in user: any of them may show patient data, and on a shared
    clinic computer the back button must not bring a chart back from the cache after
    log-out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
            response.headers.pop("Expires", None)
        return response


SESSION_STARTED_KEY = "auth_started_at"


class AbsoluteSessionLifetimeMiddleware:
    """End a session ``SESSION_ABSOLUTE_LIFETIME_HOURS`` after its log-in, however active: the
    idle timeout alone slides forever while someone keeps using a shared computer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.conf import settings
        from django.contrib.auth import logout

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                # Set at log-in (core.apps); a session from before this setting starts now.
                request.session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_LIFETIME_HOURS * 3600:
                logout(request)
        return self.get_response(request)
