from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("me/", views.my_record, name="my_record"),
]
