"""Orientation URLs, mounted at ``/orientation/``."""

from django.urls import path

from . import views

app_name = "orientation"

urlpatterns = [
    path("", views.referral_list, name="referral_list"),
    path("lieu/<int:place_pk>/", views.referral_create, name="referral_create"),
    path("<int:pk>/", views.referral_detail, name="referral_detail"),
    path("<int:pk>/repondre/", views.referral_answer, name="referral_answer"),
]
