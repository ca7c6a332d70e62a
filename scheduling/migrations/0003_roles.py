from django.db import migrations

from core.migration_utils import grant

SETUP = ("location", "clinichours", "clinicclosure", "therapistavailability", "availabilityexception")


def grant_scheduling_permissions(apps, schema_editor):
    grant(
        apps,
        {
            "Administrator": [
                *(f"scheduling.{verb}_{model}" for model in SETUP for verb in ("add", "change", "delete", "view")),
                *(f"scheduling.{verb}_appointment" for verb in ("add", "change", "view")),
                "scheduling.add_appointmentseries",
                "scheduling.view_appointmentseries",
            ],
            "Scheduler": [
                *(f"scheduling.view_{model}" for model in SETUP),
                *(f"scheduling.{verb}_appointment" for verb in ("add", "change", "view")),
                "scheduling.add_appointmentseries",
                "scheduling.view_appointmentseries",
            ],
            "Therapist": [
                "scheduling.view_location",
                "scheduling.view_appointment",
                "scheduling.change_appointment",
            ],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_no_double_booking"), ("charts", "0003_roles")]

    operations = [migrations.RunPython(grant_scheduling_permissions, migrations.RunPython.noop)]
