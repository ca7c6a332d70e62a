from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.login, name="login"),
    path("accounts/logout/", views.logout, name="logout"),
    path("accounts/password/", views.password_change, name="password_change"),
    path("accounts/password/forgot/", views.password_reset, name="password_reset"),
    path("accounts/password/forgot/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "accounts/invitation/<uidb64>/<token>/", views.invitation_accept, name="invitation_accept"
    ),
    # Staff is an item of Admin > Basic Setup, so it lives under /setup/.
    path("setup/staff/", views.staff_list, name="staff_list"),
    path("setup/staff/add/", views.staff_create, name="staff_create"),
    path("setup/staff/<int:pk>/", views.staff_update, name="staff_update"),
    path(
        "setup/staff/<int:pk>/deactivate/",
        views.staff_set_active,
        {"active": False},
        name="staff_deactivate",
    ),
    path(
        "setup/staff/<int:pk>/reactivate/",
        views.staff_set_active,
        {"active": True},
        name="staff_reactivate",
    ),
]
