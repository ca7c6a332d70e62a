"""The form of Merge Patient Cases: the cases to merge and the one to merge them into."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower

from cases.merge import check_merge
from cases.models import PatientCase
from core.forms import PlainChoicesMixin

NOT_YOURS = "Choose among your clinic's patient cases."


class CaseMergeForm(PlainChoicesMixin, forms.Form):
    sources = forms.ModelMultipleChoiceField(
        label="Cases to merge",
        queryset=PatientCase.objects.none(),
        help_text="Their charts, documentation and visits move to the case chosen below. "
        "Hold Ctrl (or ⌘) to choose several.",
        error_messages={"invalid_choice": NOT_YOURS, "invalid_pk_value": NOT_YOURS},
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    target = forms.ModelChoiceField(
        label="Merge into",
        queryset=PatientCase.objects.none(),
        error_messages={"invalid_choice": NOT_YOURS},
    )
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Archived cases stay in both lists, so that choosing one is refused in words; a case
        # already merged is gone from them.
        cases = (
            PatientCase.objects.visible_to(user)
            .filter(merged_into__isnull=True)
            .order_by(Lower("name"), "pk")
        )
        self.fields["sources"].queryset = cases
        self.fields["target"].queryset = cases

    def clean(self):
        cleaned = super().clean()
        sources, target = cleaned.get("sources"), cleaned.get("target")
        if sources is not None and target is not None:
            try:
                check_merge(target, list(sources))
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        self.add_error(field if field in self.fields else None, message)
        return cleaned
