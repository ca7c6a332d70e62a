from django.urls import path

from core import views_audit

app_name = "core"

urlpatterns = [
    path("", views_audit.audit_log, name="audit_log"),
    path("export.csv", views_audit.audit_log_csv, name="audit_log_csv"),
]
