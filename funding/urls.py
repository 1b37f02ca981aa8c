from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("", views.call_list, name="call_list"),
    path("export.csv", views.call_export, {"fmt": "csv"}, name="call_export_csv"),
    path("export.xlsx", views.call_export, {"fmt": "xlsx"}, name="call_export_xlsx"),
    path("nouveau/", views.call_create, name="call_create"),
    path("relecture/", views.review_queue, name="review_queue"),
    path("signaler/", views.call_report, name="call_report"),
    path("mes-signalements/", views.my_reports, name="my_reports"),
    path("import/", views.csv_import, name="csv_import"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/nouvelle/", views.source_edit, name="source_create"),
    path("sources/<int:pk>/modifier/", views.source_edit, name="source_edit"),
    path("sources/<int:pk>/collecter/", views.source_poll, name="source_poll"),
    path("alertes/", views.watch_list, name="watch_list"),
    path("alertes/nouvelle/", views.watch_create, name="watch_create"),
    path("alertes/<int:pk>/", views.watch_detail, name="watch_detail"),
    path("alertes/<int:pk>/supprimer/", views.watch_delete, name="watch_delete"),
    path("alertes/<int:pk>/renvoyer/", views.watch_resend_confirmation, name="watch_resend"),
    path("alertes/confirmer/<str:token>/", views.watch_confirm, name="watch_confirm"),
    path("alertes/desabonnement/<str:token>/", views.watch_unsubscribe, name="watch_unsubscribe"),
    path("echeances/", views.deadlines, name="deadlines"),
    path("echeances/nouveau-lien/", views.deadlines_reset, name="deadlines_reset"),
    path("echeances/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("appel/<slug:slug>/", views.call_detail, name="call_detail"),
    path("appel/<slug:slug>/modifier/", views.call_edit, name="call_edit"),
    path("appel/<slug:slug>/<str:action>/etat/", views.call_state, name="call_state"),
    path("appel/<slug:slug>/fusionner/", views.call_merge, name="call_merge"),
    path("appel/<slug:slug>/interet/", views.call_interest, name="call_interest"),
    path("appel/<slug:slug>/partenaires/", views.partner_search_create, name="partner_search_create"),
    path("appel/<slug:slug>/partenaires/<int:pk>/clore/", views.partner_search_close, name="partner_search_close"),
    path("appel/<slug:slug>/partager/", views.call_share, name="call_share"),
]
