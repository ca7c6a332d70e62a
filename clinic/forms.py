from django import forms

from clinic.models import DURATION_MAX, DURATION_MIN, DURATION_STEP, AppointmentType, ServiceType
from core.concurrency import VersionedFormMixin
from core.forms import clean_trimmed_name


class ClinicRowForm(VersionedFormMixin, forms.ModelForm):
    """A form for a row of the user's clinic; the clinic never comes from the POST."""

    label = ""

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.instance.clinic = clinic

    def clean_name(self):
        return clean_trimmed_name(
            self, type(self.instance).objects.for_clinic(self.clinic), label=self.label
        )


class ServiceTypeForm(ClinicRowForm):
    label = "Service type"

    class Meta:
        model = ServiceType
        fields = ["name", "is_active"]
        help_texts = {"is_active": "Inactive service types are not offered for new cases."}


class AppointmentTypeForm(ClinicRowForm):
    label = "Appointment type"

    default_duration_minutes = forms.IntegerField(
        label="Default duration (minutes)",
        min_value=DURATION_MIN,
        max_value=DURATION_MAX,
        step_size=DURATION_STEP,
        help_text=f"Whole minutes from {DURATION_MIN} to {DURATION_MAX}, in steps of 5.",
    )

    class Meta:
        model = AppointmentType
        fields = ["name", "default_duration_minutes", "is_active"]
        help_texts = {"is_active": "Inactive appointment types cannot be booked or requested."}
