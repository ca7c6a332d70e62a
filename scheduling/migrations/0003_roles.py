"""Once granted the role groups model permissions on scheduling's models. Roles are checked by
name only (``charts/0007_roles_without_model_permissions`` cleared every group's permissions), so
this migration does nothing; it stays so that the migration chain keeps its name."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_no_double_booking"), ("charts", "0003_roles")]

    operations = []
