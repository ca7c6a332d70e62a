from django.urls import path
from oauth2_provider import views as oauth

from fhir import views, views_oauth, views_setup

app_name = "fhir"

urlpatterns = [
    path("fhir/R4/metadata", views.metadata, name="metadata"),
    path("fhir/R4/<str:resource_type>/_search", views.search_post, name="search_post"),
    path("fhir/R4/<str:resource_type>/<str:resource_id>", views.read, name="read"),
    path("fhir/R4/<str:resource_type>", views.search, name="search"),
    # django-oauth-toolkit's endpoints, without its screens for managing applications: a
    # clinic's clients are registered under Admin > Basic Setup > Integrations.
    path("oauth/authorize/", views_oauth.IntegrationAuthorizationView.as_view(), name="authorize"),
    path("oauth/token/", oauth.TokenView.as_view(), name="token"),
    path("oauth/revoke-token/", oauth.RevokeTokenView.as_view(), name="revoke_token"),
    path("setup/integrations/", views_setup.integration_list, name="integration_list"),
    path("setup/integrations/new/", views_setup.integration_create, name="integration_create"),
    path(
        "setup/integrations/<int:pk>/revoke/",
        views_setup.integration_revoke,
        name="integration_revoke",
    ),
]
