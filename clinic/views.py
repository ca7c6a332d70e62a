from django.contrib import messages
from django.db.models.deletion import ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.generic import CreateView, ListView, TemplateView, UpdateView

from clinic import services
from clinic.forms import AppointmentTypeForm, RequestSettingsForm, ServiceTypeForm
from clinic.models import AppointmentType, ServiceType
from core.deletion import uses_of
from core.permissions import RoleRequiredMixin, role_required
from core.roles import ADMINISTRATOR
from core.views import ClinicScopedMixin, FormPageMixin

PAGE_SIZE = 50


class SetupHomeView(RoleRequiredMixin, TemplateView):
    required_roles = (ADMINISTRATOR,)
    template_name = "clinic/setup_home.html"


class SetupRowMixin(ClinicScopedMixin):
    """The list, add and edit screens of a Basic Setup table (service or appointment types)."""

    required_roles = (ADMINISTRATOR,)
    list_url_name = ""
    noun = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "clinic": self.request.user.clinic}

    def get_success_url(self):
        return reverse(self.list_url_name)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            noun=self.noun, list_url=reverse(self.list_url_name), **kwargs
        )


class ServiceTypeMixin(SetupRowMixin):
    model = ServiceType
    form_class = ServiceTypeForm
    list_url_name = "clinic:servicetype_list"
    noun = "Service Type"
    template_name = "clinic/servicetype_form.html"


class AppointmentTypeMixin(SetupRowMixin):
    model = AppointmentType
    form_class = AppointmentTypeForm
    list_url_name = "clinic:appointmenttype_list"
    noun = "Appointment Type"
    template_name = "clinic/appointmenttype_form.html"


class ServiceTypeListView(ServiceTypeMixin, ListView):
    template_name = "clinic/servicetype_list.html"
    paginate_by = PAGE_SIZE


class ServiceTypeCreateView(ServiceTypeMixin, FormPageMixin, CreateView):
    success_message = "Service type “{object}” added."


class ServiceTypeUpdateView(ServiceTypeMixin, FormPageMixin, UpdateView):
    success_message = "Service type “{object}” saved."


class AppointmentTypeListView(AppointmentTypeMixin, ListView):
    template_name = "clinic/appointmenttype_list.html"
    paginate_by = PAGE_SIZE


class AppointmentTypeCreateView(AppointmentTypeMixin, FormPageMixin, CreateView):
    success_message = "Appointment type “{object}” added."


class AppointmentTypeUpdateView(AppointmentTypeMixin, FormPageMixin, UpdateView):
    success_message = "Appointment type “{object}” saved."


SETUP_TABLES = {
    "service-types": (ServiceType, "Service Type", "clinic:servicetype"),
    "appointment-types": (AppointmentType, "Appointment Type", "clinic:appointmenttype"),
}


@role_required(ADMINISTRATOR)
def setup_row_delete(request, table, pk):
    """Delete a service or appointment type that nothing uses; otherwise offer deactivating."""
    model, noun, url_prefix = SETUP_TABLES[table]
    list_url_name = f"{url_prefix}_list"
    obj = get_object_or_404(model.objects.for_clinic(request.user.clinic), pk=pk)
    uses = uses_of(obj)
    context = {
        "object": obj,
        "noun": noun,
        "uses": uses,
        "list_url": reverse(list_url_name),
        "update_url": reverse(f"{url_prefix}_update", args=[obj.pk]),
    }
    if request.method == "POST":
        if uses:
            return render(request, "clinic/setup_row_delete.html", context, status=409)
        try:
            obj.delete()
        except ProtectedError:
            return render(request, "clinic/setup_row_delete.html", context, status=409)
        messages.success(request, f"{noun} “{obj}” deleted.")
        return redirect(list_url_name)
    return render(request, "clinic/setup_row_delete.html", context)


@role_required(ADMINISTRATOR)
def request_settings(request):
    """Admin > Basic Setup > Appointment Requests."""
    clinic = request.user.clinic
    form = RequestSettingsForm(request.POST or None, instance=clinic)
    if request.method == "POST":
        if form.is_valid():
            services.clinic_request_settings_update(
                clinic=clinic, by=request.user, **form.cleaned_data
            )
            messages.success(request, "Appointment request settings saved.")
            return redirect("clinic:request_settings")
        # The form wrote the bad values onto the instance; show the saved ones nowhere else.
        clinic.refresh_from_db()
        return render(request, "clinic/request_settings.html", {"form": form}, status=400)
    return render(request, "clinic/request_settings.html", {"form": form})


setup_home = SetupHomeView.as_view()
servicetype_list = ServiceTypeListView.as_view()
servicetype_create = ServiceTypeCreateView.as_view()
servicetype_update = ServiceTypeUpdateView.as_view()
appointmenttype_list = AppointmentTypeListView.as_view()
appointmenttype_create = AppointmentTypeCreateView.as_view()
appointmenttype_update = AppointmentTypeUpdateView.as_view()
