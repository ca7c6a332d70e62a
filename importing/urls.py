from django.urls import path

from importing import views

app_name = "importing"

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/start/", views.import_start, name="import_start"),
]
