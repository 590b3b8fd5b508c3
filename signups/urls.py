"""Sign-ups: the volunteer's pages under /me/activities/, the calendar feed, and an
occurrence's lists under the team's planned activities."""

from django.urls import path

from signups import views

app_name = "signups"
staff = "teams/<slug:slug>/planned/occurrences/<int:pk>/signups/"
urlpatterns = [
    path("me/activities/", views.upcoming, name="upcoming"),
    path("me/activities/<int:pk>/", views.detail, name="detail"),
    path("me/activities/<int:pk>/sign-up/", views.sign_up, name="sign_up"),
    path("me/activities/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("me/activities/calendar/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
    path(staff, views.staff_list, name="staff_list"),
    path(staff + "assign/", views.staff_assign, name="assign"),
    path(staff + "<int:signup_pk>/remove/", views.staff_remove, name="remove"),
]
