"""The team's rules and the monthly compliance review (月度审核), under /teams/<slug>/."""

from django.urls import path

from compliance import rules_views, views

app_name = "compliance"
reviews = "teams/<slug:slug>/reviews/"
review = f"{reviews}<int:year>/<int:month>/"
urlpatterns = [
    path("teams/<slug:slug>/rules/", rules_views.team_rules, name="rules"),
    path(reviews, views.review_list, name="reviews"),
    path(f"{reviews}current/", views.review_default, name="review_default"),
    path(review, views.review_detail, name="review"),
    path(f"{review}sign/", views.review_sign, name="review_sign"),
    path(f"{review}export/", views.review_export, name="review_export"),
    path(f"{review}print/", views.review_print, name="review_print"),
]
