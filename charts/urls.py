from django.urls import path, register_converter

from charts import views
from charts.views import move as move_views


class DocumentKindConverter:
    regex = "notes|evaluations"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(DocumentKindConverter, "doc")

app_name = "charts"

urlpatterns = [
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/add/", views.patient_create, name="patient_create"),
    path("patients/<int:pk>/", views.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/edit/", views.patient_update, name="patient_update"),
    path("patients/<int:pk>/cases/add/", views.chart_case_add, name="chart_case_add"),
    path(
        "patients/<int:pk>/cases/<int:chart_case_pk>/",
        views.patient_detail,
        name="chart_case_detail",
    ),
    path(
        "chart-cases/<int:pk>/discharge/", views.chart_case_discharge, name="chart_case_discharge"
    ),
    path("chart-cases/<int:pk>/reopen/", views.chart_case_reopen, name="chart_case_reopen"),
    path("chart-cases/<int:pk>/history/", views.chart_case_history, name="chart_case_history"),
    path("chart-cases/<int:pk>/goals/add/", views.goal_create, name="goal_create"),
    path("chart-cases/<int:pk>/goals/<int:goal_pk>/", views.goal_update, name="goal_update"),
    path("chart-cases/<int:pk>/notes/add/", views.note_create, name="note_create"),
    path("chart-cases/<int:pk>/notes/<int:doc_pk>/edit/", views.note_update, name="note_update"),
    path(
        "chart-cases/<int:pk>/evaluations/add/", views.evaluation_create, name="evaluation_create"
    ),
    path(
        "chart-cases/<int:pk>/evaluations/<int:doc_pk>/edit/",
        views.evaluation_update,
        name="evaluation_update",
    ),
    path(
        "chart-cases/<int:pk>/<doc:kind>/<int:doc_pk>/",
        views.document_detail,
        name="document_detail",
    ),
    path(
        "chart-cases/<int:pk>/<doc:kind>/<int:doc_pk>/sign/",
        views.document_sign,
        name="document_sign",
    ),
    path(
        "chart-cases/<int:pk>/<doc:kind>/<int:doc_pk>/delete/",
        views.document_delete,
        name="document_delete",
    ),
    path(
        "chart-cases/<int:pk>/<doc:kind>/<int:doc_pk>/discard/",
        views.document_discard,
        name="document_discard",
    ),
    path(
        "chart-cases/<int:pk>/<doc:kind>/<int:doc_pk>/addendum/",
        views.document_addendum,
        name="document_addendum",
    ),
    path("chart-cases/<int:pk>/reminders/add/", views.reminder_create, name="reminder_create"),
    path(
        "chart-cases/<int:pk>/move/<str:kind>/<int:item_pk>/",
        move_views.documentation_move,
        name="documentation_move",
    ),
    path("unsigned/", views.unsigned_list, name="unsigned_list"),
    path("patients/<int:pk>/contacts/add/", views.contact_create, name="contact_create"),
    path(
        "patients/<int:pk>/contacts/<int:contact_pk>/",
        views.contact_update,
        name="contact_update",
    ),
    path(
        "patients/<int:pk>/contacts/<int:contact_pk>/delete/",
        views.contact_delete,
        name="contact_delete",
    ),
    path("chart-cases/<int:pk>/diagnoses/add/", views.diagnosis_create, name="diagnosis_create"),
    path(
        "chart-cases/<int:pk>/diagnoses/<int:diagnosis_pk>/delete/",
        views.diagnosis_delete,
        name="diagnosis_delete",
    ),
    path(
        "chart-cases/<int:pk>/plan-of-care/", views.plan_of_care_update, name="plan_of_care_update"
    ),
    path(
        "chart-cases/<int:pk>/discharge-summary/",
        views.discharge_summary_create,
        name="discharge_summary_create",
    ),
    path(
        "chart-cases/<int:pk>/discharge-summaries/<int:doc_pk>/",
        views.discharge_summary_detail,
        name="discharge_summary_detail",
    ),
    path(
        "chart-cases/<int:pk>/reminders/<int:reminder_pk>/done/",
        views.reminder_done,
        name="reminder_done",
    ),
]
