from django.urls import path

from insurance import views

app_name = "insurance"

urlpatterns = [
    path("setup/payers/", views.payer_list, name="payer_list"),
    path("setup/payers/add/", views.payer_edit, name="payer_create"),
    path("setup/payers/<int:pk>/", views.payer_edit, name="payer_update"),
    path("setup/insurance/", views.insurance_settings, name="settings"),
    path("schedule/authorizations/", views.authorization_report, name="report"),
    path(
        "chart-cases/<int:pk>/authorizations/",
        views.authorization_list,
        name="authorization_list",
    ),
    path(
        "chart-cases/<int:pk>/authorizations/add/",
        views.authorization_create,
        name="authorization_create",
    ),
    path("authorizations/<int:pk>/", views.authorization_update, name="authorization_update"),
    path(
        "chart-cases/<int:pk>/shared-limits/add/",
        views.shared_limit_edit,
        name="shared_limit_create",
    ),
    path(
        "chart-cases/<int:pk>/shared-limits/<int:limit_pk>/",
        views.shared_limit_edit,
        name="shared_limit_update",
    ),
]
