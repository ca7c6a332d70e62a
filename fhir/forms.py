from django import forms
from django.core.exceptions import ValidationError

from core.forms import PlainChoicesMixin
from fhir.models import Integration


class IntegrationForm(PlainChoicesMixin, forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=255,
        help_text="Who connects, as your staff will recognise it: “Acme Billing”.",
    )
    kind = forms.ChoiceField(
        label="How it connects",
        choices=Integration.Kind.choices,
        widget=forms.RadioSelect,
        initial=Integration.Kind.BACKEND,
    )
    redirect_uris = forms.CharField(
        label="Redirect addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For an app only: the addresses it returns to after a staff member allows "
        "it, one a line, each starting with https://.",
    )

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        cleaned = super().clean()
        uris = " ".join((cleaned.get("redirect_uris") or "").split())
        if cleaned.get("kind") == Integration.Kind.APP and not uris:
            self.add_error("redirect_uris", "An app needs at least one redirect address.")
        cleaned["redirect_uris"] = uris
        return cleaned


def apply_application_errors(form: IntegrationForm, error: ValidationError) -> None:
    """django-oauth-toolkit's checks of a redirect address, beside the field."""
    for field, messages in error.message_dict.items():
        form.add_error("redirect_uris" if field == "redirect_uris" else None, messages)
