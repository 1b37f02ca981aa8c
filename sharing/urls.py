"""Sharing URLs, mounted at ``/partage/``."""

from django.urls import path

from . import views

app_name = "sharing"

urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("proposer/", views.item_create, name="item_create"),
    path("<int:pk>/", views.item_detail, name="item_detail"),
    path("<int:pk>/modifier/", views.item_edit, name="item_edit"),
    path("<int:pk>/photos/", views.item_photos, name="item_photos"),
    path("<int:pk>/photos/<int:photo_pk>/description/", views.photo_edit, name="photo_edit"),
    path("<int:pk>/photos/<int:photo_pk>/deplacer/", views.photo_move, name="photo_move"),
    path("<int:pk>/photos/<int:photo_pk>/retirer/", views.photo_delete, name="photo_delete"),
    path("<int:pk>/reserver/", views.booking_create, name="booking_create"),
    path("reservations/", views.my_bookings, name="my_bookings"),
    path("reservations/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("reservations/<int:pk>/action/", views.booking_action, name="booking_action"),
    path("reservations/<str:token>.ics", views.my_ics, name="my_ics"),
]
