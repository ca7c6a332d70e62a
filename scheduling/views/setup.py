"""Basic Setup: locations with their clinic hours and closures; therapist availability."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import CreateView, ListView, UpdateView

from accounts.models import User
from core.permissions import RoleRequiredMixin, role_required
from core.roles import ADMINISTRATOR
from core.views import FormPageMixin
from scheduling import services
from scheduling.access import get_location_for, get_setup_row_for
from scheduling.forms import (
    AvailabilityExceptionForm,
    ClinicClosureForm,
    ClinicHoursForm,
    LocationForm,
    TherapistAvailabilityForm,
)
from scheduling.models import (
    AvailabilityException,
    ClinicClosure,
    ClinicHours,
    Location,
    TherapistAvailability,
)


class LocationMixin(RoleRequiredMixin):
    """Locations are loaded only through ``scheduling.access``."""

    required_roles = (ADMINISTRATOR,)
    model = Location
    form_class = LocationForm
    template_name = "scheduling/location_form.html"

    def get_queryset(self):
        return Location.objects.for_clinic(self.request.user.clinic_id)

    def get_object(self, queryset=None):
        return get_location_for(self.request.user, self.kwargs["pk"], write=True)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "clinic": self.request.user.clinic}

    def get_success_url(self):
        return reverse("scheduling:location_list")

    def save(self, form):
        return services.setup_row_save(form=form, by=self.request.user)


class LocationListView(LocationMixin, ListView):
    template_name = "scheduling/location_list.html"
    paginate_by = 50


class LocationCreateView(LocationMixin, FormPageMixin, CreateView):
    success_message = "Location “{object}” added. Now give it its clinic hours."

    def get_success_url(self):
        return reverse("scheduling:location_hours", args=[self.object.pk])


class LocationUpdateView(LocationMixin, FormPageMixin, UpdateView):
    success_message = "Location “{object}” saved."


location_list = LocationListView.as_view()
location_create = LocationCreateView.as_view()
location_update = LocationUpdateView.as_view()


def _two_form_page(request, *, forms, template, context, next_url):
    """A page with two add forms (told apart by the ``form`` field of the POST)."""
    status = 200
    if request.method == "POST":
        which = request.POST.get("form")
        form = forms.get(which)
        if form is None:
            status = 400
        elif form.is_valid():
            services.setup_row_save(form=form, by=request.user)
            messages.success(request, "Saved.")
            return redirect(next_url)
        else:
            status = 400
    return render(request, template, {**context, **forms}, status=status)


@role_required(ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def location_hours(request, pk):
    location = get_location_for(request.user, pk, write=True)
    posted = request.POST.get("form") if request.method == "POST" else None
    forms = {
        "hours_form": ClinicHoursForm(
            request.POST if posted == "hours_form" else None, location=location, prefix="hours"
        ),
        "closure_form": ClinicClosureForm(
            request.POST if posted == "closure_form" else None,
            location=location,
            prefix="closure",
        ),
    }
    today = request.user.clinic.today()
    context = {
        "location": location,
        "hours": ClinicHours.objects.filter(clinic_id=location.clinic_id, location=location),
        "closures": ClinicClosure.objects.filter(
            clinic_id=location.clinic_id, location=location, date__gte=today
        ),
    }
    return _two_form_page(
        request,
        forms=forms,
        template="scheduling/location_hours.html",
        context=context,
        next_url=reverse("scheduling:location_hours", args=[location.pk]),
    )


ROW_MODELS = {
    "hours": ClinicHours,
    "closures": ClinicClosure,
    "availability": TherapistAvailability,
    "exceptions": AvailabilityException,
}


@role_required(ADMINISTRATOR)
@require_POST
def location_row_delete(request, pk, table, row_pk):
    location = get_location_for(request.user, pk, write=True)
    row = get_setup_row_for(request.user, ROW_MODELS[table], row_pk, write=True, location=location)
    services.setup_row_delete(row=row, by=request.user)
    messages.success(request, f"Removed {row}.")
    return redirect("scheduling:location_hours", location.pk)


@role_required(ADMINISTRATOR)
def clinic_hours(request):
    """Every location's weekly hours at a glance, each linking to its own page."""
    locations = (
        Location.objects.for_clinic(request.user.clinic_id)
        .active()
        .prefetch_related("hours")
        .order_by("name")
    )
    return render(request, "scheduling/clinic_hours.html", {"locations": locations})


@role_required(ADMINISTRATOR)
def availability_list(request):
    therapists = User.objects.active_therapists(request.user.clinic_id).prefetch_related(
        "service_types"
    )
    return render(request, "scheduling/availability_list.html", {"therapists": therapists})


def _therapist(request, pk):
    return get_object_or_404(User.objects.active_therapists(request.user.clinic_id), pk=pk)


@role_required(ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def availability_detail(request, pk):
    therapist = _therapist(request, pk)
    posted = request.POST.get("form") if request.method == "POST" else None
    forms = {
        "weekly_form": TherapistAvailabilityForm(
            request.POST if posted == "weekly_form" else None,
            therapist=therapist,
            prefix="weekly",
        ),
        "exception_form": AvailabilityExceptionForm(
            request.POST if posted == "exception_form" else None,
            therapist=therapist,
            prefix="exception",
        ),
    }
    clinic_id = request.user.clinic_id
    context = {
        "therapist": therapist,
        "weekly": TherapistAvailability.objects.filter(clinic_id=clinic_id, therapist=therapist)
        .select_related("location")
        .order_by("location__name", "weekday", "start"),
        "exceptions": AvailabilityException.objects.filter(
            clinic_id=clinic_id, therapist=therapist, date__gte=request.user.clinic.today()
        ).select_related("location"),
    }
    return _two_form_page(
        request,
        forms=forms,
        template="scheduling/availability_detail.html",
        context=context,
        next_url=reverse("scheduling:availability_detail", args=[therapist.pk]),
    )


@role_required(ADMINISTRATOR)
@require_POST
def availability_row_delete(request, pk, table, row_pk):
    therapist = _therapist(request, pk)
    if table not in {"availability", "exceptions"}:
        return redirect("scheduling:availability_detail", therapist.pk)
    row = get_setup_row_for(
        request.user, ROW_MODELS[table], row_pk, write=True, therapist=therapist
    )
    services.setup_row_delete(row=row, by=request.user)
    messages.success(request, f"Removed {row}.")
    return redirect("scheduling:availability_detail", therapist.pk)
