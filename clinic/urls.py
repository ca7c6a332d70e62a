from django.urls import path

from clinic import views

app_name = "clinic"

urlpatterns = [
    path("", views.setup_home, name="setup_home"),
    path("appointment-requests/", views.request_settings, name="request_settings"),
    path("service-types/", views.servicetype_list, name="servicetype_list"),
    path("service-types/add/", views.servicetype_create, name="servicetype_create"),
    path("service-types/<int:pk>/", views.servicetype_update, name="servicetype_update"),
    path(
        "service-types/<int:pk>/delete/",
        views.setup_row_delete,
        {"table": "service-types"},
        name="servicetype_delete",
    ),
    path("appointment-types/", views.appointmenttype_list, name="appointmenttype_list"),
    path("appointment-types/add/", views.appointmenttype_create, name="appointmenttype_create"),
    path(
        "appointment-types/<int:pk>/", views.appointmenttype_update, name="appointmenttype_update"
    ),
    path(
        "appointment-types/<int:pk>/delete/",
        views.setup_row_delete,
        {"table": "appointment-types"},
        name="appointmenttype_delete",
    ),
]
