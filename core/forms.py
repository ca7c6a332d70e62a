"""Pieces shared by the forms of every app."""

from django import forms


def clean_trimmed_name(form: forms.ModelForm, queryset, *, label: str) -> str:
    """Trim the name and refuse one the clinic already has, whatever its case.

    The database holds the same rule as a constraint; this check is what gives the user a
    message next to the field instead of an error page.
    """
    # The field is required, so a blank name never gets here.
    name = " ".join(form.cleaned_data["name"].split())
    duplicates = queryset.filter(name__iexact=name)
    if form.instance.pk:
        duplicates = duplicates.exclude(pk=form.instance.pk)
    if duplicates.exists():
        raise forms.ValidationError(f"{label} “{name}” already exists in this clinic.")
    return name


class AuditLogFilterForm(forms.Form):
    """The Audit Log's filters, read from the query string. Anything the form refuses (an
    unknown action, a date like 2026-13-45, another clinic's staff member) is a message next
    to the field and an empty result, never another clinic's entries."""

    patient = forms.CharField(
        label="Patient (name or number)",
        required=False,
        max_length=100,
    )
    actor = forms.ModelChoiceField(
        label="Staff member", queryset=None, required=False, empty_label="Anyone"
    )
    action = forms.ChoiceField(label="Action", required=False)
    kind = forms.ChoiceField(label="Kind of record", required=False)
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, staff, **kwargs):
        from core.audit import ACTION_LABELS, OBJECT_TYPES  # core.audit imports the models

        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = staff
        # Listed once here: the template would otherwise count them, then list them.
        self.fields["actor"].choices = [("", "Anyone")] + [(user.pk, str(user)) for user in staff]
        self.fields["action"].choices = [("", "Any action")] + sorted(
            ACTION_LABELS.items(), key=lambda item: item[1]
        )
        self.fields["kind"].choices = [("", "Any kind")] + sorted(
            OBJECT_TYPES.items(), key=lambda item: item[1]
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the range cannot be before its start.")
        return cleaned
