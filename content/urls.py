from django.urls import path

from . import views

app_name = "content"

urlpatterns = [
    path("", views.resource_list, name="resource_list"),
    path("proposer/", views.resource_create, name="resource_create"),
    path("mes-ressources/", views.my_resources, name="my_resources"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/signalements/<int:pk>/traite/", views.report_resolve, name="report_resolve"),
    path("collections/", views.collection_list, name="collection_list"),
    path("collections/<slug:slug>/", views.collection_detail, name="collection_detail"),
    path("collections/<slug:slug>/supprimer/", views.collection_delete, name="collection_delete"),
    path("collections/<slug:slug>/retirer/<slug:resource_slug>/", views.collection_remove, name="collection_remove"),
    path("<slug:slug>/", views.resource_detail, name="resource_detail"),
    path("<slug:slug>/telecharger/", views.resource_download, name="resource_download"),
    path("<slug:slug>/utile/", views.resource_vote, name="resource_vote"),
    path("<slug:slug>/signaler/", views.resource_report, name="resource_report"),
    path("<slug:slug>/publier/", views.resource_publish, name="resource_publish"),
    path("<slug:slug>/refuser/", views.resource_reject, name="resource_reject"),
    path("<slug:slug>/ajouter-a-une-collection/", views.collection_add, name="collection_add"),
]
