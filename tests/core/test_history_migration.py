"""The two old history tables move into the audit trail whole: no entry lost, every word kept."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import User as CurrentUser
from clinic.models import Clinic as CurrentClinic

BEFORE = [
    ("cases", "0004_user_foreign_keys_without_own_index"),
    ("charts", "0005_user_foreign_keys_without_own_index"),
]
AFTER = [
    ("cases", "0005_case_history_into_audit_trail"),
    ("charts", "0006_chart_case_events_into_audit_trail"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="migrating back and forth inside the test's transaction needs PostgreSQL's DDL",
)
@pytest.mark.django_db
def test_old_case_history_and_chart_case_events_are_copied_into_the_trail():
    try:
        old = _migrate(BEFORE)
        Clinic = old.get_model("clinic", "Clinic")
        User = old.get_model("accounts", "User")
        PatientCase = old.get_model("cases", "PatientCase")
        CaseHistoryEntry = old.get_model("cases", "CaseHistoryEntry")
        Patient = old.get_model("charts", "Patient")
        PatientChartCase = old.get_model("charts", "PatientChartCase")
        ChartCaseEvent = old.get_model("charts", "ChartCaseEvent")

        # The clinic and user tables are not migrated back (no migration of theirs is undone):
        # their rows are made with today's models, which know every column NOT NULL now.
        current_clinic = CurrentClinic.objects.create(name="Riverside Therapy")
        clinic = Clinic.objects.get(pk=current_clinic.pk)
        admin = User.objects.get(
            pk=CurrentUser.objects.create(
                email="a@r.test", first_name="Ada", last_name="Admin", clinic=current_clinic
            ).pk
        )
        case = PatientCase.objects.create(
            clinic=clinic, name="Speech", created_by=admin, updated_by=admin, version=2
        )
        CaseHistoryEntry.objects.create(
            clinic=clinic,
            case=case,
            case_pk=case.pk,
            case_name="Speech",
            action="updated",
            version=2,
            changed_by=admin,
            changes=[["Name", "Speech Therapy", "Speech"]],
        )
        CaseHistoryEntry.objects.create(
            clinic=clinic,
            case=None,
            case_pk=999,
            case_name="Gone",
            action="deleted",
            version=1,
            changed_by=admin,
            changes=[["Name", "Gone", ""]],
        )
        patient = Patient.objects.create(
            clinic=clinic,
            first_name="Liam",
            last_name="Carter",
            date_of_birth=datetime.date(2018, 4, 12),
        )
        chart_case = PatientChartCase.objects.create(
            clinic=clinic, patient=patient, case=case, started_on=datetime.date(2026, 1, 5)
        )
        for action, details in [
            ("Case added to the chart", "Started on Jan 5, 2026."),
            ("Daily note signed", "Daily note of Jan 9, 2026"),
            ("Reopened", "Parents asked."),
        ]:
            ChartCaseEvent.objects.create(
                clinic=clinic, chart_case=chart_case, action=action, details=details, by=admin
            )
        written_at = timezone.now()

        with connection.cursor() as cursor:
            # The rows above are checked now, as if committed: a table with deferred checks
            # pending cannot be dropped.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        new = _migrate(AFTER)
        AuditEntry = new.get_model("core", "AuditEntry")
        rows = list(
            AuditEntry.objects.order_by("pk").values_list(
                "action",
                "object_type",
                "object_id",
                "object_repr",
                "actor_name",
                "changes",
                "details",
            )
        )
        assert rows[:2] == [
            (
                "update",
                "patient case",
                str(case.pk),
                "Speech",
                "Ada Admin",
                [["Name", "Speech Therapy", "Speech"]],
                "Version 2",
            ),
            (
                "delete",
                "patient case",
                "999",
                "Gone",
                "Ada Admin",
                [["Name", "Gone", ""]],
                "Version 1",
            ),
        ]
        assert rows[2:] == [
            (
                "create",
                "patient chart case",
                str(chart_case.pk),
                "Liam Carter: Speech",
                "Ada Admin",
                [],
                "Started on Jan 5, 2026.",
            ),
            ("sign", "daily note", "", "Daily note of Jan 9, 2026", "Ada Admin", [], ""),
            (
                "reopen",
                "patient chart case",
                str(chart_case.pk),
                "Liam Carter: Speech",
                "Ada Admin",
                [],
                "Parents asked.",
            ),
        ]
        assert set(AuditEntry.objects.values_list("clinic_id", flat=True)) == {clinic.pk}
        patients = AuditEntry.objects.exclude(patient_id=None).values_list("patient_id", flat=True)
        assert (len(patients), set(patients)) == (3, {patient.pk})
        assert AuditEntry.objects.get(action="sign").parent_id == str(chart_case.pk)
        assert all(at <= written_at for at in AuditEntry.objects.values_list("at", flat=True))
    finally:
        # The test's transaction rolls all of it back, schema included; this only keeps the
        # rest of the test body on the current schema if an assertion above failed.
        call_command("migrate", verbosity=0)
