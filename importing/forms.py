from django import forms

from core.forms import PlainChoicesMixin
from importing.services import SCREEN_MAX_BYTES


class ImportUploadForm(PlainChoicesMixin, forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            f"UTF-8 CSV, one row per record, up to {SCREEN_MAX_BYTES // (1024 * 1024)} MB "
            "(larger files: the import_therapy_records command). The columns are described in "
            "docs/import-format.md."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > SCREEN_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB; the screen takes up to "
                f"{SCREEN_MAX_BYTES // (1024 * 1024)} MB. Use the import_therapy_records "
                "command for larger files."
            )
        return upload


class ImportStartForm(PlainChoicesMixin, forms.Form):
    skip_invalid = forms.BooleanField(
        label="Import the valid rows and skip the bad ones", required=False
    )
