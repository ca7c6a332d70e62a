from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("portal/", views.home, name="home"),
    path("portal/patients/<int:pk>/", views.patient_detail, name="patient_detail"),
    path("portal/cases/<int:pk>/request/", views.request_create, name="request_create"),
    path("portal/requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("portal/visits/past/", views.past_visits, name="past_visits"),
    path("portal/visits/<int:pk>/cancel/", views.visit_cancel, name="visit_cancel"),
    path("portal/visits/<int:pk>/move/", views.visit_move, name="visit_move"),
    path("portal/password/", views.password_change, name="password_change"),
    # The staff side: invite from a patient's page (staff base template, staff URL space).
    path("patients/<int:pk>/portal-access/", views.invite, name="invite"),
]
