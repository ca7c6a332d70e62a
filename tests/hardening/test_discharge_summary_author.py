"""Issue 26, item 5: the discharge summary keeps the authorship rule of notes and evaluations.
It is written and signed in one step, so there is never a draft for someone else to sign or
delete; the database now holds every row to that (signed, by its author), whatever path
writes it, and no URL edits, signs again or deletes one."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from charts.models import DischargeSummary
from tests.factories import DischargeSummaryFactory
from tests.hardening.helpers import logged_in


def test_the_summary_is_signed_by_the_therapist_who_writes_it(therapist, speech_chart_case, today):
    response = logged_in(therapist).post(
        reverse("charts:discharge_summary_create", args=[speech_chart_case.pk]),
        {"date": today.isoformat(), "reason": "Goals met.", "recommendations": ""},
    )

    assert response.status_code == 302
    summary = DischargeSummary.objects.get()
    assert summary.author == therapist and summary.signed_by == therapist


@pytest.mark.parametrize("signed", ["by another", "not at all"])
def test_the_database_refuses_a_summary_not_signed_by_its_author(
    signed, therapist, second_speech_therapist, speech_chart_case
):
    fields = (
        {"signed_by": second_speech_therapist}
        if signed == "by another"
        else {"signed_by": None, "signed_at": None}
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        DischargeSummaryFactory(chart_case=speech_chart_case, author=therapist, **fields)


def test_a_summary_cannot_be_re_signed_to_someone_else(
    therapist, second_speech_therapist, speech_chart_case
):
    summary = DischargeSummaryFactory(chart_case=speech_chart_case, author=therapist)

    with pytest.raises(IntegrityError), transaction.atomic():
        DischargeSummary.objects.filter(pk=summary.pk).update(
            signed_by=second_speech_therapist, signed_at=timezone.now()
        )


@pytest.mark.parametrize("verb", ["sign", "delete", "discard", "addendum"])
def test_no_url_signs_deletes_or_amends_a_summary(verb):
    with pytest.raises(NoReverseMatch):
        reverse(f"charts:document_{verb}", args=[1, "discharge-summaries", 1])
