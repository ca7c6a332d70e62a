"""The product's URLs, plus the bench's baseline view and its own Django admin site."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from bench.admin import bench_admin_site
from fusion.urls import handler403, handler404, handler500
from fusion.urls import urlpatterns as product_urlpatterns


@login_not_required
def bare(request):
    """The floor: the full middleware stack and nothing else (no template, no query of its own)."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/django-admin/", bench_admin_site.urls),
    *product_urlpatterns,
]

__all__ = ["urlpatterns", "handler403", "handler404", "handler500"]
