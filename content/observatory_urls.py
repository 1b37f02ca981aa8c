"""Mounted at ``/observatoire/`` by ``hub/urls.py``."""

from django.urls import path

from . import views

app_name = "observatory"

urlpatterns = [
    path("", views.observatory_index, name="index"),
    path("<slug:key>.csv", views.observatory_csv, name="csv"),
]
