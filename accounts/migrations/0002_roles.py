from django.db import migrations

from core.migration_utils import grant

CRUD = ("add", "change", "view")


def create_roles(apps, schema_editor):
    grant(
        apps,
        {
            "Administrator": [
                *(f"clinic.{verb}_servicetype" for verb in CRUD),
                *(f"clinic.{verb}_appointmenttype" for verb in CRUD),
                *(f"accounts.{verb}_user" for verb in CRUD),
            ],
            "Scheduler": ["clinic.view_servicetype", "clinic.view_appointmenttype"],
            "Therapist": ["clinic.view_servicetype", "clinic.view_appointmenttype"],
            "Patient": [],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
