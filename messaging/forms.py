"""The reminder settings form; its bounds repeat the database's check constraints so that a
bad value gets a message beside its field."""

import copy

from django import forms

from core.concurrency import STALE_FORM, VersionedFormMixin
from core.forms import PlainChoicesMixin
from messaging.models import LEAD_MAX_HOURS, ReminderSettings
from messaging.wording import wording_errors

LEAD_HELP = f"Whole hours, from 1 to {LEAD_MAX_HOURS} (14 days)."


class ReminderSettingsForm(PlainChoicesMixin, VersionedFormMixin, forms.ModelForm):
    first_lead_hours = forms.IntegerField(
        label="First reminder (hours before)",
        min_value=1,
        max_value=LEAD_MAX_HOURS,
        help_text=LEAD_HELP,
    )
    second_lead_hours = forms.IntegerField(
        label="Second reminder (hours before)",
        min_value=1,
        max_value=LEAD_MAX_HOURS,
        required=False,
        help_text="Leave empty for one reminder only. " + LEAD_HELP,
    )
    cancel_window_hours = forms.IntegerField(
        label="Cancellation window (hours before)",
        min_value=0,
        max_value=LEAD_MAX_HOURS,
        help_text="Families may cancel by link up to this long before the visit.",
    )
    quiet_start = forms.TimeField(
        label="Quiet hours start",
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="In each location's time zone. A reminder due then goes when they end.",
    )
    quiet_end = forms.TimeField(
        label="Quiet hours end", widget=forms.TimeInput(attrs={"type": "time"})
    )
    wording = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="May name {clinic}, {date}, {time}, {location}, {therapist} and, if you turn "
        "it on below, {service}.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "version" not in self.fields:
            # The clinic's defaults, never saved: version 0 says so, and a save from this
            # screen after someone else's first save is refused like any stale one.
            self.fields["version"] = copy.deepcopy(self.base_fields["version"])
            self.initial["version"] = 0

    def clean_version(self):
        version = self.cleaned_data.get("version")
        if version is None:
            raise forms.ValidationError(STALE_FORM)
        return version

    class Meta:
        model = ReminderSettings
        fields = [
            "enabled",
            "first_lead_hours",
            "second_lead_hours",
            "quiet_start",
            "quiet_end",
            "wording",
            "show_service",
            "cancel_window_hours",
            "late_cancel",
            "phone",
            "feed_shows_names",
        ]

    def clean(self):
        data = super().clean()
        first, second = data.get("first_lead_hours"), data.get("second_lead_hours")
        if first and second and second >= first:
            self.add_error(
                "second_lead_hours",
                "The second reminder must be fewer hours before the visit than the first.",
            )
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if start is not None and start == end:
            self.add_error(
                "quiet_end",
                "Quiet hours that start and end at the same time leave no time to send: "
                "change one.",
            )
        if data.get("wording"):
            for error in wording_errors(
                data["wording"], show_service=data.get("show_service", False)
            ):
                self.add_error("wording", error)
        return data
