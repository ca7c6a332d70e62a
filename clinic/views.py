from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import CreateView, ListView, TemplateView, UpdateView

from clinic import services
from clinic.access import get_appointment_type_for, get_service_type_for
from clinic.forms import AppointmentTypeForm, RequestSettingsForm, ServiceTypeForm
from clinic.models import AppointmentType, ServiceType
from core.deletion import uses_of, with_in_use
from core.permissions import RoleRequiredMixin, role_required
from core.roles import ADMINISTRATOR
from core.views import FormPageMixin

PAGE_SIZE = 50


class SetupHomeView(RoleRequiredMixin, TemplateView):
    required_roles = (ADMINISTRATOR,)
    template_name = "clinic/setup_home.html"


class SetupRowMixin(RoleRequiredMixin):
    """The list, add and edit screens of a Basic Setup table (service or appointment types).
    Rows are loaded only through ``clinic.access``."""

    required_roles = (ADMINISTRATOR,)
    model = None
    get_row_for = None
    list_url_name = ""
    noun = ""
    template_name = "clinic/setup_row_form.html"

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def get_object(self, queryset=None):
        return self.get_row_for(self.request.user, self.kwargs["pk"], write=True)

    def save(self, form):
        return services.setup_row_save(
            row=form.instance,
            by=self.request.user,
            expected_version=form.cleaned_data.get("version"),
        )

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
    get_row_for = staticmethod(get_service_type_for)
    form_class = ServiceTypeForm
    list_url_name = "clinic:servicetype_list"
    noun = "Service Type"


class AppointmentTypeMixin(SetupRowMixin):
    model = AppointmentType
    get_row_for = staticmethod(get_appointment_type_for)
    form_class = AppointmentTypeForm
    list_url_name = "clinic:appointmenttype_list"
    noun = "Appointment Type"


class SetupListMixin:
    """A Basic Setup list: each row marked ``in_use`` by the rule its delete refuses with, so
    that a row in use offers Deactivate instead of a Delete that would be refused."""

    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return with_in_use(super().get_queryset())


class ServiceTypeListView(SetupListMixin, ServiceTypeMixin, ListView):
    template_name = "clinic/servicetype_list.html"


class ServiceTypeCreateView(ServiceTypeMixin, FormPageMixin, CreateView):
    success_message = "Service type “{object}” added."

    def save(self, form):
        # Inside FormPageMixin's transaction: the options' rows are written with the type.
        service_type = form.save()
        for option in form.ticked_add_options():
            option.apply(service_type=service_type, by=self.request.user)
        return service_type


class ServiceTypeUpdateView(ServiceTypeMixin, FormPageMixin, UpdateView):
    success_message = "Service type “{object}” saved."


class AppointmentTypeListView(SetupListMixin, AppointmentTypeMixin, ListView):
    template_name = "clinic/appointmenttype_list.html"


class AppointmentTypeCreateView(AppointmentTypeMixin, FormPageMixin, CreateView):
    success_message = "Appointment type “{object}” added."


class AppointmentTypeUpdateView(AppointmentTypeMixin, FormPageMixin, UpdateView):
    success_message = "Appointment type “{object}” saved."


SETUP_TABLES = {
    "service-types": (get_service_type_for, "Service Type", "clinic:servicetype"),
    "appointment-types": (get_appointment_type_for, "Appointment Type", "clinic:appointmenttype"),
}


@role_required(ADMINISTRATOR)
def setup_row_delete(request, table, pk):
    """Delete a service or appointment type that nothing uses; otherwise offer deactivating."""
    get_row_for, noun, url_prefix = SETUP_TABLES[table]
    list_url_name = f"{url_prefix}_list"
    obj = get_row_for(request.user, pk, write=True)
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
            with transaction.atomic():
                # Locked, then checked again: a case being saved with this type locks it too,
                # so the delete either waits and sees the new use, or goes first.
                obj = type(obj).objects.select_for_update().get(pk=obj.pk)
                context["uses"] = uses = uses_of(obj)
                if uses:
                    return render(request, "clinic/setup_row_delete.html", context, status=409)
                services.setup_row_delete(row=obj, by=request.user)
        except (ProtectedError, IntegrityError):
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
