"""The demo data: one case two visits from its limit, one authorization expired; loading
again changes nothing."""

from io import StringIO

from django.core.management import call_command
from django.db.models import Q

from insurance.counting import usage
from insurance.models import Authorization


def test_the_demo_has_a_case_near_its_limit_and_an_expired_authorization(db):
    call_command("load_demo", force=True, stdout=StringIO())
    near = Authorization.objects.get(number="BS-2026-0142")
    assert usage(near.clinic_id, Q(pk=near.pk)).of(near.pk).left == 2
    expired = Authorization.objects.get(number="AET-88120")
    assert expired.last_date < expired.clinic.today()

    call_command("load_demo", force=True, stdout=StringIO())
    assert Authorization.objects.count() == 2
