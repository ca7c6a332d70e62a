from functools import cached_property
from typing import NamedTuple

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import BooleanField, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.utils.translation import ngettext

from cases.models import AppointmentTypeRule, PatientCase, PatientCaseServiceType
from cases.services import RuleInput
from clinic.models import DURATION_MAX, DURATION_MIN, DURATION_STEP, AppointmentType, ServiceType
from core.forms import ChoicesOnce, PlainChoicesMixin, clean_trimmed_name


class ServiceTypeChoiceField(forms.ModelMultipleChoiceField):
    iterator = ChoicesOnce

    def label_from_instance(self, obj):
        return obj.name if obj.is_active else f"{obj.name} (inactive)"


class PatientCaseForm(PlainChoicesMixin, forms.ModelForm):
    """Case Details, plus the version of the case the screen was opened at."""

    service_types = ServiceTypeChoiceField(
        queryset=ServiceType.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Services",
        help_text="Choose two or more to make a shared case that therapists of each discipline "
        "work on together.",
        error_messages={
            "required": "Choose at least one service.",
            "invalid_choice": "That service type is inactive or is not one of this clinic's "
            "service types.",
            "invalid_pk_value": "“%(pk)s” is not a service type.",
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_service_removal = forms.BooleanField(
        required=False, label="Yes, remove it: I understand what this changes for those therapists."
    )

    class Meta:
        model = PatientCase
        # The services are set by ``cases.services`` from ``service_types``, a field of this form
        # rather than of the model form, whose initial value would cost a query of its own: the
        # choices' query says which of them the case has.
        fields = ["name"]
        labels = {"name": "Case Name"}

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.instance.clinic = clinic
        self.removed_services: list[ServiceType] = []
        self.chart_case_count = 0
        services = ServiceType.objects.for_clinic(clinic)
        if self.instance.pk:
            # A service that went inactive stays listed (and ticked) on the cases that have it.
            links = PatientCaseServiceType.objects.filter(
                clinic=OuterRef("clinic"), case=self.instance.pk, service_type=OuterRef("pk")
            )
            services = services.annotate(ticked=Exists(links)).filter(
                Q(is_active=True) | Q(ticked=True)
            )
            self.initial.setdefault("version", self.instance.version)
        else:
            services = services.active().annotate(ticked=Value(False))
        # One query lists the services and says which the case has (ticked as opened): the
        # initial value is read from the choices' rows when the form is shown.
        self.fields["service_types"].queryset = services.order_by("name")
        self.initial.setdefault("service_types", self._ticked_services)

    def _ticked_services(self) -> list[int]:
        return [service.pk for service in self.fields["service_types"].queryset if service.ticked]

    def has_service_choices(self) -> bool:
        return bool(self.fields["service_types"].queryset)

    def clean_name(self):
        name = clean_trimmed_name(
            self, PatientCase.objects.for_clinic(self.clinic), label="Patient case"
        )
        return name

    def clean_service_types(self):
        chosen = self.cleaned_data["service_types"]
        inactive = [service.name for service in chosen if not service.is_active]
        if inactive:
            raise ValidationError(
                f"{', '.join(inactive)} is inactive: untick it, or reactivate it under "
                "Service Types first."
            )
        return chosen

    def clean_version(self):
        version = self.cleaned_data.get("version")
        if self.instance.pk and version is None:
            raise ValidationError("This form is out of date: reload the page and try again.")
        return version

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("service_types")
        if self.instance.pk and chosen is not None:
            kept = {service.pk for service in chosen}
            self.removed_services = [
                service for service in self.instance.service_types.all() if service.pk not in kept
            ]
            # Counted only when it matters: the edit screen opens without counting 25,000 charts.
            if self.removed_services:
                self.chart_case_count = (
                    PatientCase.objects.filter(pk=self.instance.pk)
                    .with_chart_counts()
                    .values_list("chart_case_count", flat=True)
                    .get()
                )
            if not self.chart_case_count:
                self.removed_services = []
            elif not cleaned.get("confirm_service_removal"):
                self.add_error(
                    "confirm_service_removal",
                    "Confirm the removal of "
                    + ", ".join(service.name for service in self.removed_services)
                    + " to save.",
                )
        return cleaned

    def removal_warning(self) -> str:
        names = ", ".join(service.name for service in self.removed_services)
        charts = self.chart_case_count
        return (
            f"Removing {names}: therapists of {names} will no longer see this case on "
            f"{charts} {ngettext('patient chart case', 'patient chart cases', charts)}."
        )


class RuleForm(PlainChoicesMixin, forms.Form):
    """One row of the Appointment Requests tab: may patients request this type, how long."""

    appointment_type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": "This appointment type is not one of this clinic's active types."
        },
    )
    allow_requests = forms.BooleanField(label="Allow", required=False)
    duration_minutes = forms.IntegerField(
        label="Duration",
        required=False,
        min_value=DURATION_MIN,
        max_value=DURATION_MAX,
        step_size=DURATION_STEP,
        error_messages={
            "invalid": "Enter the duration in whole minutes.",
            "min_value": f"Enter at least {DURATION_MIN} minutes.",
            "max_value": f"Enter at most {DURATION_MAX} minutes.",
            "step_size": f"Enter minutes in steps of {DURATION_STEP} (5, 10, 15…).",
        },
    )

    def __init__(self, *args, appointment_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment_type"].queryset = appointment_types

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("allow_requests") and cleaned.get("duration_minutes") is None:
            if "duration_minutes" not in self.errors:
                self.add_error(
                    "duration_minutes", "Enter a duration for an appointment type you allow."
                )
        return cleaned

    @property
    def appointment_type_obj(self) -> AppointmentType | None:
        value = self.initial.get("appointment_type")
        return value if isinstance(value, AppointmentType) else None


class RuleRow(NamedTuple):
    prefix: str  # "rules-0": the row's inputs are named "rules-0-allow_requests"...
    type_value: str
    type_name: str
    errors: list  # of the appointment type, and of the row as a whole
    allowed: bool
    minutes: object  # as typed when posted, else the rule's or the type's minutes
    duration_errors: list


class BaseRuleFormSet(forms.BaseFormSet):
    def __init__(self, *args, appointment_types, **kwargs):
        self.appointment_types = appointment_types
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"appointment_types": self.appointment_types}

    def clean(self):
        if any(self.errors):
            return
        # An extra row beyond INITIAL_FORMS may come back empty and still be "valid" (an
        # unchanged extra form has no cleaned appointment type): it counts as a mismatch.
        seen = [
            getattr(form.cleaned_data.get("appointment_type"), "pk", None) for form in self.forms
        ]
        expected = {appointment_type.pk for appointment_type in self.appointment_types}
        if len(seen) != len(set(seen)) or set(seen) != expected:
            raise ValidationError(
                "The appointment types changed while you were editing: reload the page."
            )

    @cached_property
    def rows(self) -> list["RuleRow"]:
        """The rows of the Appointment Requests table as plain values, as the form shows them
        (the case's rules, or what was posted, with its errors). Opened, from the initial
        values alone: no form a row is built to show them (``rule_initial``)."""
        if not self.is_bound:
            return [
                RuleRow(
                    prefix=self.add_prefix(index),
                    type_value=initial["appointment_type"].pk,
                    type_name=initial["appointment_type"].name,
                    errors=[],
                    allowed=initial["allow_requests"],
                    minutes=initial["duration_minutes"],
                    duration_errors=[],
                )
                for index, initial in enumerate(self.initial or ())
            ]
        rows = []
        for form in self.forms:
            errors = form.errors
            appointment_type = form.appointment_type_obj
            allowed = form["allow_requests"].value()
            minutes = form["duration_minutes"].value()
            rows.append(
                RuleRow(
                    prefix=form.prefix,
                    type_value=form["appointment_type"].value() or "",
                    type_name=appointment_type.name
                    if appointment_type
                    else "Unknown appointment type",
                    errors=[*errors.get("appointment_type", ()), *errors.get(NON_FIELD_ERRORS, ())],
                    allowed=bool(allowed),
                    minutes="" if minutes is None else minutes,
                    duration_errors=errors.get("duration_minutes", ()),
                )
            )
        return rows

    def rule_inputs(self) -> list[RuleInput]:
        return [
            RuleInput(
                appointment_type=form.cleaned_data["appointment_type"],
                allow_requests=form.cleaned_data["allow_requests"],
                # A duration only means something for a type patients may request; for the
                # others the row just shows the type's default again.
                duration_minutes=(
                    form.cleaned_data["duration_minutes"]
                    if form.cleaned_data["allow_requests"]
                    else None
                ),
            )
            for form in self.forms
        ]


RuleFormSet = forms.formset_factory(
    RuleForm, formset=BaseRuleFormSet, extra=0, min_num=0, validate_max=False
)


def rule_rows(clinic, case: PatientCase | None):
    """The clinic's active appointment types by name, each with the case's rule for it beside it
    (``rule_allow``, ``rule_minutes``; None where it has none): the Appointment Requests tab
    from one query, where the rules and the types were two."""
    types = AppointmentType.objects.for_clinic(clinic).active().order_by("name")
    if case is None or not case.pk:
        return types.annotate(
            rule_allow=Value(None, output_field=BooleanField()),
            rule_minutes=Value(None, output_field=IntegerField()),
        )
    rule = AppointmentTypeRule.objects.filter(
        clinic=OuterRef("clinic"), case=case.pk, appointment_type=OuterRef("pk")
    )
    return types.annotate(
        rule_allow=Subquery(rule.values("allow_requests")),
        rule_minutes=Subquery(rule.values("duration_minutes")),
    )


def rule_initial(appointment_types) -> list[dict]:
    """One row per active appointment type of ``rule_rows``: the case's rule, or the type's
    default duration."""
    return [
        {
            "appointment_type": appointment_type,
            "allow_requests": bool(appointment_type.rule_allow),
            "duration_minutes": (
                appointment_type.rule_minutes or appointment_type.default_duration_minutes
            ),
        }
        for appointment_type in appointment_types
    ]
