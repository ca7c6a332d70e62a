from django.urls import path

from cases import views, views_merge

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("add/", views.case_create, name="case_create"),
    path("<int:pk>/", views.case_update, name="case_update"),
    path("<int:pk>/delete/", views.case_delete, name="case_delete"),
    path("<int:pk>/archive/", views.case_archive, {"archive": True}, name="case_archive"),
    path("<int:pk>/restore/", views.case_archive, {"archive": False}, name="case_restore"),
    path("<int:pk>/history/", views.case_history, name="case_history"),
    path("merge/", views_merge.case_merge_view, name="case_merge"),
    path("<int:pk>/merge/undo/", views_merge.case_merge_undo_view, name="case_merge_undo"),
]
