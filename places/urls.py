"""Places URLs, mounted at ``/lieux/``. ``places:place_detail`` takes the place's primary key ``pk``."""

from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("<int:pk>/", views.place_detail, name="place_detail"),
]
