from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from fusion import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("accounts.urls")),
    path("", include("charts.urls")),
    path("", include("scheduling.urls")),
    path("", include("insurance.urls")),
    path("", include("portal.urls")),
    path("", include("messaging.urls")),
    path("setup/patient-cases/", include("cases.urls")),
    path("setup/import/", include("importing.urls")),
    path("setup/audit-log/", include("core.urls")),
    path("setup/", include("clinic.urls")),
    path("", include("fhir.urls")),
    path("django-admin/", admin.site.urls),
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url="/static/favicon.svg", permanent=True)),
    ),
]

handler403 = "fusion.views.permission_denied"
handler404 = "fusion.views.page_not_found"
handler500 = "fusion.views.server_error"
