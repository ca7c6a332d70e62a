"""A Django admin site of the bench's own, so that Django's stock changelist for PatientCase can be
measured beside the product's Patient Cases list without the product registering the model.

The ModelAdmin is deliberately plain, what ``admin.site.register(PatientCase)`` plus the obvious
columns would give: a name column, the archived flag, a search box, and as many rows a page as
the product's list. The operator belongs to the bench clinic, so the clinic scope the middleware
sets filters the changelist to that clinic's cases, as the product's list is filtered.
"""

from django.apps import apps
from django.contrib import admin

bench_admin_site = admin.AdminSite(name="bench_admin")


def _patient_case_model():
    try:
        return apps.get_model("cases", "PatientCase")
    except LookupError:
        return None


def _product_page_size() -> int:
    try:
        from cases.views import PAGE_SIZE
    except ImportError:
        return admin.ModelAdmin.list_per_page
    return PAGE_SIZE


PatientCase = _patient_case_model()

if PatientCase is not None:

    @admin.register(PatientCase, site=bench_admin_site)
    class PatientCaseAdmin(admin.ModelAdmin):
        list_display = ["name", "is_archived"]
        search_fields = ["name"]
        ordering = ["name"]
        # The same number of rows a page as the product's list, so both pages show as much.
        list_per_page = _product_page_size()
