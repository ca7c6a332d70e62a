"""Fill the stored counts of the authorizations already written, with the one rule
(``insurance.stored.recount_clinic``: ``tally`` over each clinic's visits)."""

from django.db import migrations


def fill(apps, schema_editor):
    # The live rule on purpose: the counts are the rule's result, never a second copy of it in a
    # migration. No authorization (a new database): nothing is read beyond this query.
    Authorization = apps.get_model("insurance", "Authorization")
    clinic_ids = set(Authorization._base_manager.values_list("clinic_id", flat=True).distinct())
    if not clinic_ids:
        return
    from insurance.stored import recount_clinic

    for clinic_id in sorted(clinic_ids):
        recount_clinic(clinic_id)


class Migration(migrations.Migration):
    dependencies = [
        ("insurance", "0002_authorization_stored_counts"),
        # After every table the live rule reads is at today's schema: the rule's models are
        # today's, so this runs once the tables have all their columns.
        ("scheduling", "0010_request_move_of"),
        ("charts", "0013_contact_consent"),
        ("cases", "0006_case_merge"),
        ("clinic", "0005_servicetype_appointmenttype_version"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
