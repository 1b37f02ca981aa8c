"""Places URLs, mounted at ``/lieux/``. ``places:place_detail`` takes the place's primary key ``pk``."""

from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("", views.place_list, name="place_list"),
    path("carte.geojson", views.place_map_data, name="place_map_data"),
    path("nouveau/", views.place_create, name="place_create"),
    path("mes-lieux/", views.my_places, name="my_places"),
    path("moderation/", views.moderation, name="moderation"),
    path("donnees/", views.open_data, name="open_data"),
    path("donnees/lieux.csv", views.export_csv, name="export_csv"),
    path("donnees/lieux.json", views.export_json, name="export_json"),
    path("donnees/lieux.geojson", views.export_geojson, name="export_geojson"),
    path("donnees/fraicheur.csv", views.export_freshness, name="export_freshness"),
    path("donnees/import/", views.import_places, name="import"),
    path("<int:pk>/", views.place_detail, name="place_detail"),
    path("<int:pk>/modifier/", views.place_edit, name="place_edit"),
    path("<int:pk>/offre/", views.place_offer, name="place_offer"),
    path("<int:pk>/offre/confirmer/", views.place_offer_confirm, name="place_offer_confirm"),
    path("<int:pk>/moderation/", views.place_moderate, name="place_moderate"),
    path("<int:pk>/gestionnaires/", views.place_managers, name="place_managers"),
    path("<int:pk>/gestionnaires/<int:user_pk>/retirer/", views.place_manager_remove, name="place_manager_remove"),
]
