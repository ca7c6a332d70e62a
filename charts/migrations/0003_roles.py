from django.db import migrations

from core.migration_utils import grant

DOCUMENTS = ("goal", "goalprogress", "dailynote", "evaluation", "addendum", "reminder")


def grant_chart_permissions(apps, schema_editor):
    grant(
        apps,
        {
            "Administrator": [
                "charts.add_patient",
                "charts.change_patient",
                "charts.view_patient",
                "charts.view_patientchartcase",
                "charts.view_chartcaseevent",
                *(f"charts.view_{model}" for model in DOCUMENTS),
            ],
            "Scheduler": [
                "charts.add_patient",
                "charts.change_patient",
                "charts.view_patient",
                "charts.view_patientchartcase",
            ],
            "Therapist": [
                "charts.view_patient",
                "charts.add_patientchartcase",
                "charts.change_patientchartcase",
                "charts.view_patientchartcase",
                "charts.view_chartcaseevent",
                *(f"charts.{verb}_{model}" for model in DOCUMENTS for verb in ("add", "view")),
                *(f"charts.change_{model}" for model in ("goal", "dailynote", "evaluation")),
                "charts.change_reminder",
                "charts.delete_dailynote",
                "charts.delete_evaluation",
            ],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("charts", "0002_dailynote_evaluation_addendum_and_more"), ("cases", "0002_roles")]

    operations = [migrations.RunPython(grant_chart_permissions, migrations.RunPython.noop)]
