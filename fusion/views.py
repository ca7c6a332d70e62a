from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from core.roles import THERAPIST, has_role


def home(request):
    """The landing page after log-in: a greeting, the user's screens and, for a therapist,
    their overdue reminders."""
    context = {}
    if has_role(request.user, THERAPIST):
        # The project composes its apps here; charts sits below fusion in the app order.
        from charts.models import PatientChartCase, Reminder

        context["overdue_reminders"] = list(
            Reminder.objects.for_clinic(request.user.clinic_id)
            .overdue(request.user.clinic.today())
            .filter(chart_case__in=PatientChartCase.objects.documentable_by(request.user).active())
            .select_related("chart_case__patient", "chart_case__case")
            .order_by("due_on", "pk")[:50]
        )
        from scheduling.views.today import todays_appointments

        context["todays_appointments"] = todays_appointments(request.user)
    return render(request, "home.html", context)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors here: the failure may lie in one of them.
    return HttpResponseServerError(loader.get_template("500.html").render())
