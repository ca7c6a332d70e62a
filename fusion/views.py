import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader

from core.permissions import role_required
from core.roles import ADMINISTRATOR, PATIENT, SCHEDULER, STAFF_ROLES, THERAPIST, has_role


def home(request):
    """The site's address: a portal user (a patient or a parent, no staff role) is taken to
    the portal; everyone else gets the staff home (or its refusal)."""
    if has_role(request.user, PATIENT) and not has_role(request.user, *STAFF_ROLES):
        return redirect("portal:home")
    return staff_home(request)


@role_required(*STAFF_ROLES)
def staff_home(request):
    """The landing page after log-in: a greeting, the user's screens and their working day: a
    therapist's appointments today, unsigned documentation and what is overdue or due soon;
    an administrator's counts of what needs attention."""
    context = {}
    user = request.user
    # The project composes its apps here; charts sits below fusion in the app order.
    if user.clinic_id and has_role(user, THERAPIST, ADMINISTRATOR):
        from charts.dashboard import administrator_dashboard, therapist_dashboard

        today = user.clinic.today()
        if has_role(user, THERAPIST):
            context["therapist"] = therapist_dashboard(user, today)
            context["overdue_reminders"] = context["therapist"]["overdue_reminders"]
            from scheduling.views.today import todays_appointments

            context["todays_appointments"] = todays_appointments(user)
        if has_role(user, ADMINISTRATOR):
            context["administrator"] = administrator_dashboard(user, today)
    if user.clinic_id and has_role(user, ADMINISTRATOR, SCHEDULER):
        from insurance.reads import alerts
        from insurance.views import record_accesses

        rows = alerts(user.clinic_id, today=user.clinic.today())
        # The alerts name patients and their authorizations: one access entry per row shown.
        record_accesses(request, rows, "Home: authorization alerts")
        context["authorization_alerts"] = rows
    return render(request, "home.html", context)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors here: the failure may lie in one of them.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        # The database is unreachable for a moment (a restart, a fail-over): say so, and
        # when to try again, rather than "something went wrong".
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "5"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
