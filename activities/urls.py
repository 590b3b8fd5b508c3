from django.urls import path

from activities import views

app_name = "activities"
prefix = "teams/<slug:slug>/activities/"
urlpatterns = [
    path(prefix, views.activity_list, name="list"),
    path(f"{prefix}awaiting/", views.activity_list, {"awaiting": True}, name="awaiting"),
    path(f"{prefix}bulk/", views.activities_bulk, name="bulk"),
    path(f"{prefix}new/", views.activity_edit, name="create"),
    path(f"{prefix}<int:pk>/", views.activity_detail, name="detail"),
    path(f"{prefix}<int:pk>/edit/", views.activity_edit, name="update"),
    path(f"{prefix}<int:pk>/submit/", views.activity_submit, name="submit"),
    path(f"{prefix}<int:pk>/approve/", views.activity_approve, name="approve"),
    path(f"{prefix}<int:pk>/return/", views.activity_return, name="return"),
    path(f"{prefix}<int:pk>/reopen/", views.activity_reopen, name="reopen"),
]
