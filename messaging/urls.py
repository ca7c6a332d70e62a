from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("visit/confirm/<str:token>/", views.confirm, name="confirm"),
    path("visit/cancel/<str:token>/", views.cancel, name="cancel"),
    path("setup/reminders/", views.reminder_settings, name="reminder_settings"),
    path("contacts/<int:pk>/consent/", views.contact_consent, name="contact_consent"),
    path("portal/messages/", views.portal_consent, name="portal_consent"),
    path("my-calendar/", views.feed_settings, name="feed_settings"),
    path("feeds/<int:clinic>/<str:token>.ics", views.feed, name="feed"),
    path("texts/<int:clinic>/status/", views.text_status, name="text_status"),
    path("texts/<int:clinic>/reply/", views.text_reply, name="text_reply"),
]
