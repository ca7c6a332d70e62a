from django.db import migrations

from core.migration_utils import grant


def grant_case_permissions(apps, schema_editor):
    grant(
        apps,
        {
            "Administrator": [
                *(f"cases.{verb}_patientcase" for verb in ("add", "change", "delete", "view")),
                *(f"cases.{verb}_appointmenttyperule" for verb in ("add", "change", "view")),
                "cases.view_casehistoryentry",
            ],
            "Scheduler": ["cases.view_patientcase", "cases.view_appointmenttyperule"],
            "Therapist": ["cases.view_patientcase"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("accounts", "0002_roles")]

    operations = [migrations.RunPython(grant_case_permissions, migrations.RunPython.noop)]
