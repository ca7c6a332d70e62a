"""Roles are checked by name (``core.roles``, ``core.permissions``) and rows by the querysets'
``visible_to``; nothing ever asked the groups' model permissions, so they go: one source of
truth for who may do what (see docs/architecture.md)."""

from django.db import migrations

ROLES = ("Administrator", "Scheduler", "Therapist", "Patient")


def clear_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("charts", "0006_chart_case_events_into_audit_trail"),
        ("cases", "0002_roles"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(clear_permissions, migrations.RunPython.noop)]
