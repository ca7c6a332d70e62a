from django import forms

from portal.models import PortalLink


class PortalInviteForm(forms.Form):
    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        help_text="The invitation with a link to set a password goes to this address.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    relationship = forms.ChoiceField(
        label="Relationship to the patient",
        choices=PortalLink.Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the relationship to the patient."},
    )
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
