"""Sharing URLs, mounted at ``/partage/``."""

from django.urls import path

from . import views

app_name = "sharing"

urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("proposer/", views.item_create, name="item_create"),
    path("<int:pk>/", views.item_detail, name="item_detail"),
    path("<int:pk>/modifier/", views.item_edit, name="item_edit"),
    path("<int:pk>/reserver/", views.booking_create, name="booking_create"),
    path("reservations/", views.my_bookings, name="my_bookings"),
    path("reservations/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("reservations/<int:pk>/action/", views.booking_action, name="booking_action"),
    path("reservations/<str:token>.ics", views.my_ics, name="my_ics"),
]
