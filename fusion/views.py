from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from core.permissions import role_required
from core.roles import ADMINISTRATOR, STAFF_ROLES, THERAPIST, has_role


@role_required(*STAFF_ROLES)
def home(request):
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
    return render(request, "home.html", context)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors here: the failure may lie in one of them.
    return HttpResponseServerError(loader.get_template("500.html").render())
