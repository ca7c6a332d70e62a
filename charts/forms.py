from django import forms
from django.utils import timezone

from cases.models import PatientCase
from charts.models import DailyNote, Evaluation, Goal, Patient, Reminder
from core.concurrency import VersionedFormMixin

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError("The date cannot be in the future.")
    return value


class PatientForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Patient
        fields = ["first_name", "last_name", "date_of_birth"]
        widgets = {"date_of_birth": DATE_WIDGET}

    def clean_first_name(self):
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self):
        return " ".join(self.cleaned_data["last_name"].split())

    def clean_date_of_birth(self):
        return _not_future(self.cleaned_data["date_of_birth"])


class ChartCaseAddForm(forms.Form):
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


class GoalCreateForm(forms.ModelForm):
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


class GoalUpdateForm(VersionedFormMixin, forms.ModelForm):
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


class DailyNoteForm(VersionedFormMixin, forms.ModelForm):
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


class GoalProgressForm(forms.Form):
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


class EvaluationForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["kind", "date", "findings", "recommendations"]
        widgets = {
            "date": DATE_WIDGET,
            "findings": forms.Textarea(attrs={"rows": 5}),
            "recommendations": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("date", timezone.localdate())

    def clean_date(self):
        return _not_future(self.cleaned_data["date"])


class AddendumForm(forms.Form):
    text = forms.CharField(label="Addendum", widget=forms.Textarea(attrs={"rows": 3}))


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label="Why is this draft deleted?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text="Kept in the audit log, with the draft's author and date.",
    )


class ReminderForm(forms.ModelForm):
    class Meta:
        model = Reminder
        fields = ["text", "due_on"]
        widgets = {"due_on": DATE_WIDGET}


class DischargeForm(forms.Form):
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


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Reason for reopening", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )
