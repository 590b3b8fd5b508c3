from django.urls import path

from activities import review_views, views

app_name = "activities"
prefix = "teams/<slug:slug>/activities/"
reviews = "teams/<slug:slug>/reviews/"
review = f"{reviews}<int:year>/<int:month>/"
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
    # The monthly compliance review (月度审核).
    path(reviews, review_views.review_list, name="reviews"),
    path(f"{reviews}current/", review_views.review_default, name="review_default"),
    path(review, review_views.review_detail, name="review"),
    path(f"{review}sign/", review_views.review_sign, name="review_sign"),
    path(f"{review}export/", review_views.review_export, name="review_export"),
    path(f"{review}print/", review_views.review_print, name="review_print"),
]
