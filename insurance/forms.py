from django import forms

from accounts.models import User
from clinic.models import AppointmentType, ServiceType
from core.concurrency import VersionedFormMixin
from core.forms import Pairs, PlainChoicesMixin, WithOptions
from core.sql import user_name
from insurance.models import Authorization, InsuranceSettings, Payer, SharedLimit

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PayerForm(PlainChoicesMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Payer
        fields = ["name", "requires_authorization", "is_active"]


class SharedLimitForm(PlainChoicesMixin, VersionedFormMixin, forms.ModelForm):
    quantity = forms.IntegerField(label="Total visits or units", min_value=1, max_value=10_000)

    class Meta:
        model = SharedLimit
        fields = ["name", "quantity"]


class AuthorizationForm(PlainChoicesMixin, VersionedFormMixin, forms.ModelForm):
    """Choices are the clinic's own rows: a posted id outside them is the field's error."""

    quantity = forms.IntegerField(label="Visits or units authorized", min_value=1, max_value=10_000)
    cap = forms.IntegerField(label="At most", min_value=1, max_value=1_000, required=False)
    appointment_types = forms.ModelMultipleChoiceField(
        queryset=AppointmentType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every appointment type.",
    )

    class Meta:
        model = Authorization
        fields = [
            "payer",
            "number",
            "first_date",
            "last_date",
            "unit",
            "quantity",
            "appointment_types",
            "cap_period",
            "cap",
            "shared_limit",
            "note",
        ]
        widgets = {"first_date": DATE_WIDGET, "last_date": DATE_WIDGET}

    def __init__(self, *args, chart_case, **kwargs):
        super().__init__(*args, **kwargs)
        clinic_id = chart_case.clinic_id
        payers = Payer.objects.for_clinic(clinic_id)
        if not self.instance.pk:
            payers = payers.filter(is_active=True)
        self.fields["payer"].queryset = payers
        self.fields["appointment_types"].queryset = AppointmentType.objects.for_clinic(
            clinic_id
        ).active()
        self.fields["shared_limit"].queryset = SharedLimit.objects.for_clinic(clinic_id).filter(
            patient_id=chart_case.patient_id
        )
        self.fields["shared_limit"].empty_label = "None"
        self.instance.chart_case = chart_case
        self.instance.clinic_id = clinic_id

    def clean(self):
        data = super().clean()
        first, last = data.get("first_date"), data.get("last_date")
        if first and last and last < first:
            self.add_error("last_date", "The last date must not be before the first date.")
        if bool(data.get("cap_period")) != (data.get("cap") is not None):
            self.add_error("cap", "Give a cap with its period (per week or per month), or neither.")
        return data

    def _post_clean(self):
        # The model's own constraint checks run in the service, with the friendly message
        # by field; here only the fields are copied onto the instance.
        opts = self._meta
        self.instance = forms.models.construct_instance(self, self.instance, opts.fields)


class InsuranceSettingsForm(PlainChoicesMixin, forms.ModelForm):
    alert_visits_left = forms.IntegerField(
        label="Alert at this many visits or units left", min_value=0, max_value=1000
    )
    alert_days_left = forms.IntegerField(
        label="Alert this many days before the last date", min_value=0, max_value=365
    )

    class Meta:
        model = InsuranceSettings
        fields = [
            "count_no_shows",
            "alert_visits_left",
            "alert_days_left",
            "portal_requests_past_authorization",
        ]


def _pick(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={
            "invalid_choice": "Select a valid choice. That choice is not one of the available"
            " choices."
        },
    )


class ReportFilterForm(WithOptions, forms.Form):
    """The report's filters, read from the URL: a value outside the clinic's rows is the
    field's error (400), never a 500. Payer, service type and therapist are plain choices of
    ``(pk, name)`` pairs read as values (their cleaned value the pk), not model choices, which
    would build a row an option (the clinic's ~300 therapists)."""

    payer = _pick("Payer")
    service_type = _pick("Service type")
    therapist = _pick("Therapist")
    first = forms.DateField(label="Running from", required=False, widget=DATE_WIDGET)
    last = forms.DateField(label="Running until", required=False, widget=DATE_WIDGET)
    kind = forms.ChoiceField(label="Show", required=False)

    def __init__(self, *args, clinic_id, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        therapists = (
            User.objects.for_clinic(clinic_id)
            .therapists()
            .order_by("last_name", "first_name", "email")
            .values_list("pk", "first_name", "last_name", "email")
        )
        for name, pairs in (
            ("payer", Payer.objects.for_clinic(clinic_id).values_list("pk", "name")),
            ("service_type", ServiceType.objects.for_clinic(clinic_id).values_list("pk", "name")),
            ("therapist", [(pk, user_name(*names)) for pk, *names in therapists]),
        ):
            self.fields[name].choices = Pairs([("", "All"), *pairs])
        self.fields["kind"].choices = Pairs([("", "All authorizations"), *kinds.items()])

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("last") and data["last"] < data["first"]:
            self.add_error("last", "The end must not be before the start.")
        return data
