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
