from django import forms
from django.utils import timezone

from cases.models import PatientCase
from charts.models import (
    DailyNote,
    Diagnosis,
    Evaluation,
    Goal,
    Patient,
    PatientChartCase,
    PatientContact,
    Reminder,
)
from core.concurrency import VersionedFormMixin
from core.forms import PlainChoicesMixin

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError("The date cannot be in the future.")
    return value


class PatientForm(PlainChoicesMixin, VersionedFormMixin, forms.ModelForm):
    empty_labels = {"sex": "Not given"}

    class Meta:
        model = Patient
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "phone",
            "email",
            "address",
            "preferred_language",
        ]
        widgets = {
            "date_of_birth": DATE_WIDGET,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "address": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_first_name(self):
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self):
        return " ".join(self.cleaned_data["last_name"].split())

    def clean_date_of_birth(self):
        return _not_future(self.cleaned_data["date_of_birth"])


class ChartCaseAddForm(PlainChoicesMixin, forms.Form):
    case = forms.ModelChoiceField(
        queryset=PatientCase.objects.none(),
        label="Patient case",
        empty_label="Choose a case",
        error_messages={
            "invalid_choice": "That case cannot be added: it is archived, already on this "
            "chart, or not one of your service types' cases."
        },
    )
    started_on = forms.DateField(label="Started on", widget=DATE_WIDGET)

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        self.initial.setdefault("started_on", timezone.localdate())

    def clean_started_on(self):
        return _not_future(self.cleaned_data["started_on"])


class GoalCreateForm(PlainChoicesMixin, forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["kind", "parent", "text", "start_date", "target_date"]
        widgets = {"start_date": DATE_WIDGET, "target_date": DATE_WIDGET}
        help_texts = {"parent": "Only for a short-term goal."}

    def __init__(self, *args, chart_case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = chart_case.goals.filter(kind=Goal.Kind.LONG_TERM)
        self.fields["parent"].required = False
        self.initial.setdefault("start_date", timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        start, target = cleaned.get("start_date"), cleaned.get("target_date")
        if start and target and target < start:
            self.add_error("target_date", "The target date cannot be before the goal's start.")
        if cleaned.get("parent") and cleaned.get("kind") != Goal.Kind.SHORT_TERM:
            self.add_error("parent", "Only a short-term goal can belong to a long-term goal.")
        return cleaned


class GoalUpdateForm(PlainChoicesMixin, VersionedFormMixin, forms.ModelForm):
    note = forms.CharField(
        label="Progress note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded with the status change.",
    )

    class Meta:
        model = Goal
        fields = ["text", "target_date", "status"]
        widgets = {"target_date": DATE_WIDGET}

    def clean_target_date(self):
        target = self.cleaned_data["target_date"]
        if target < self.instance.start_date:
            raise forms.ValidationError("The target date cannot be before the goal's start.")
        return target


class DailyNoteForm(PlainChoicesMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = DailyNote
        fields = ["date_of_service", "subjective", "objective", "assessment", "plan"]
        widgets = {
            "date_of_service": DATE_WIDGET,
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ("subjective", "objective", "assessment", "plan")
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("date_of_service", timezone.localdate())

    def clean_date_of_service(self):
        return _not_future(self.cleaned_data["date_of_service"])


class GoalProgressForm(PlainChoicesMixin, forms.Form):
    """One active goal's progress on a daily note."""

    status = forms.ChoiceField(choices=Goal.Status.choices, label="Status")
    note = forms.CharField(
        label="Progress", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, goal, **kwargs):
        self.goal = goal
        kwargs.setdefault("prefix", f"goal-{goal.pk}")
        super().__init__(*args, **kwargs)
        self.initial.setdefault("status", goal.status)


class EvaluationForm(PlainChoicesMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["kind", "date", "findings", "recommendations"]
        widgets = {
            "date": DATE_WIDGET,
            "findings": forms.Textarea(attrs={"rows": 5}),
            "recommendations": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, chart_case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("date", timezone.localdate())
        if chart_case is not None:
            # A new evaluation may answer one of the chart case's open re-evaluation
            # reminders (the home page's "Re-evaluation due" link names it).
            self.fields["reminder"] = forms.ModelChoiceField(
                queryset=chart_case.reminders.open().filter(kind=Reminder.Kind.RE_EVALUATION),
                required=False,
                widget=forms.HiddenInput,
            )

    def clean_date(self):
        return _not_future(self.cleaned_data["date"])


class AddendumForm(PlainChoicesMixin, forms.Form):
    text = forms.CharField(label="Addendum", widget=forms.Textarea(attrs={"rows": 3}))


class DiscardForm(PlainChoicesMixin, forms.Form):
    reason = forms.CharField(
        label="Why is this draft deleted?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text="Kept in the audit log, with the draft's author and date.",
    )


class ReminderForm(PlainChoicesMixin, forms.ModelForm):
    class Meta:
        model = Reminder
        fields = ["text", "due_on"]
        widgets = {"due_on": DATE_WIDGET}


class DischargeForm(PlainChoicesMixin, forms.Form):
    discharged_on = forms.DateField(label="Discharge date", widget=DATE_WIDGET)
    discharge_evaluation = forms.ModelChoiceField(
        queryset=Evaluation.objects.none(),
        required=False,
        label="Discharge evaluation",
        empty_label="None written",
    )

    def __init__(self, *args, chart_case, **kwargs):
        super().__init__(*args, **kwargs)
        self.chart_case = chart_case
        self.fields["discharge_evaluation"].queryset = chart_case.evaluations.signed().filter(
            kind=Evaluation.Kind.DISCHARGE
        )
        self.initial.setdefault("discharged_on", timezone.localdate())

    def clean_discharged_on(self):
        value = _not_future(self.cleaned_data["discharged_on"])
        if value < self.chart_case.started_on:
            raise forms.ValidationError("The discharge date cannot be before the case started.")
        return value


class ReopenForm(PlainChoicesMixin, forms.Form):
    reason = forms.CharField(
        label="Reason for reopening", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )
    restore_goals = forms.ModelMultipleChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Goals to reactivate",
        help_text="The goals the discharge closed. Each one ticked becomes active again.",
        error_messages={
            "invalid_choice": "Only a goal this case's discharge closed can be reactivated."
        },
    )

    def __init__(self, *args, closed_goals=None, **kwargs):
        super().__init__(*args, **kwargs)
        if closed_goals is None:
            del self.fields["restore_goals"]
        else:
            self.fields["restore_goals"].queryset = closed_goals
            self.fields["restore_goals"].label_from_instance = lambda goal: (
                f"{goal.get_kind_display()}: {goal.text} (closed as {goal.get_status_display()})"
            )


class PatientContactForm(PlainChoicesMixin, forms.ModelForm):
    class Meta:
        model = PatientContact
        fields = ["name", "relationship", "phone", "email", "is_guardian"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel"})}
        help_texts = {"relationship": "For example: mother, father, spouse, case manager."}


class DiagnosisForm(PlainChoicesMixin, forms.ModelForm):
    class Meta:
        model = Diagnosis
        fields = ["kind", "code", "description"]
        help_texts = {"code": "For example F80.0 or R13.12."}

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def _post_clean(self):
        # The service checks uniqueness and the chart case; the model's own validation would
        # need the chart case on the instance first.
        pass


class PlanOfCareForm(PlainChoicesMixin, forms.ModelForm):
    class Meta:
        model = PatientChartCase
        fields = ["referring_provider", "plan_of_care_start", "plan_of_care_end"]
        widgets = {"plan_of_care_start": DATE_WIDGET, "plan_of_care_end": DATE_WIDGET}
        help_texts = {
            "plan_of_care_end": "A “Plan of care ends” reminder falls due before this date.",
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("plan_of_care_start"), cleaned.get("plan_of_care_end")
        if start and end and end < start:
            self.add_error("plan_of_care_end", "The plan of care cannot end before it starts.")
        elif end and not start:
            self.add_error("plan_of_care_start", "Give the start of the plan of care too.")
        return cleaned

    def _post_clean(self):
        # The database constraint's message is given by ``clean`` next to the field already.
        pass


class DischargeSummaryForm(PlainChoicesMixin, forms.Form):
    """The summary; one status field per active goal (``goal-<pk>``), prefilled."""

    date = forms.DateField(label="Discharge date", widget=DATE_WIDGET)
    reason = forms.CharField(
        label="Reason for discharge", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    recommendations = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

    def __init__(self, *args, chart_case, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.chart_case = chart_case
        self.goals = list(goals)
        self.initial.setdefault("date", timezone.localdate())
        choices = [(value, label) for value, label in Goal.Status.choices if value != "active"]
        for goal in self.goals:
            name = f"goal-{goal.pk}"
            self.fields[name] = forms.ChoiceField(
                choices=choices, label=f"{goal.get_kind_display()} goal: {goal.text}"
            )
            self.initial.setdefault(name, "not_met" if goal.status == "active" else goal.status)

    def goal_fields(self):
        return [self[f"goal-{goal.pk}"] for goal in self.goals]

    def clean_date(self):
        value = _not_future(self.cleaned_data["date"])
        if value < self.chart_case.started_on:
            raise forms.ValidationError("The discharge date cannot be before the case started.")
        return value

    def goal_statuses(self) -> dict[int, str]:
        return {goal.pk: self.cleaned_data[f"goal-{goal.pk}"] for goal in self.goals}
