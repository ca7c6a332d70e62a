"""The patient portal (``/portal/``, role Patient) and the staff screen that invites to it.

The portal never imports a staff view: it has its own base template and navigation."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from charts.access import get_patient_for
from charts.models import PatientChartCase
from core.audit import record_access
from core.permissions import RoleRequiredMixin, role_required
from core.roles import ADMINISTRATOR, PATIENT, SCHEDULER
from portal import services
from portal.access import get_portal_patient_for
from portal.forms import PortalInviteForm
from portal.models import PortalLink


@role_required(ADMINISTRATOR, SCHEDULER)
def invite(request, pk):
    """Staff screen, from a patient's page: who has portal access, and invite one more."""
    patient = get_patient_for(request.user, pk)
    form = PortalInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.portal_invite(
                patient=patient,
                email=data["email"],
                relationship=data["relationship"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                by=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except IntegrityError:
            # Someone invited the same address at the same moment: the constraints caught it.
            form.add_error("email", "This address was invited a moment ago. Reload the page.")
        else:
            messages.success(
                request, f"Portal invitation for {patient} e-mailed to {data['email']}."
            )
            return redirect("portal:invite", pk=patient.pk)
    links = (
        PortalLink.objects.for_clinic(request.user.clinic_id)
        .filter(patient=patient)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    return render(
        request,
        "portal/invite.html",
        {"patient": patient, "form": form, "links": links},
        status=400 if form.errors else 200,
    )


@role_required(PATIENT)
def home(request):
    """The patients this user acts for, each with their active chart cases."""
    links = list(PortalLink.objects.of_user(request.user).select_related("patient"))
    cases_by_patient = defaultdict(list)
    for chart_case in (
        PatientChartCase.objects.for_clinic(request.user.clinic_id)
        .filter(patient_id__in=[link.patient_id for link in links])
        .active()
        .select_related("case")
        .order_by("case__name", "pk")
    ):
        cases_by_patient[chart_case.patient_id].append(chart_case)
    rows = [(link, cases_by_patient[link.patient_id]) for link in links]
    return render(request, "portal/home.html", {"rows": rows})


@role_required(PATIENT)
def patient_detail(request, pk):
    patient = get_portal_patient_for(request.user, pk)
    link = PortalLink.objects.of_user(request.user).get(patient=patient)
    chart_cases = (
        PatientChartCase.objects.for_clinic(request.user.clinic_id)
        .filter(patient=patient)
        .select_related("case")
        .order_by("status", "case__name", "pk")
    )
    record_access(request, obj=patient, patient=patient, what="patient portal: patient page")
    return render(
        request,
        "portal/patient_detail.html",
        {"patient": patient, "link": link, "chart_cases": chart_cases},
    )


class PasswordChangeView(RoleRequiredMixin, auth_views.PasswordChangeView):
    required_roles = (PATIENT,)
    template_name = "portal/password_change.html"
    success_url = reverse_lazy("portal:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password was changed.")
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


password_change = PasswordChangeView.as_view()
