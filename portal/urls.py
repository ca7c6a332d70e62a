from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("portal/", views.home, name="home"),
    path("portal/patients/<int:pk>/", views.patient_detail, name="patient_detail"),
    path("portal/password/", views.password_change, name="password_change"),
    # The staff side: invite from a patient's page (staff base template, staff URL space).
    path("patients/<int:pk>/portal-access/", views.invite, name="invite"),
]
