from django.urls import path

from . import views

# Included by events/urls.py under "<slug>/compte-rendu/" (names in the "events" namespace).
urlpatterns = [
    path("", views.minutes_detail, name="minutes_detail"),
    path("rediger/", views.minutes_edit, name="minutes_edit"),
    path("versions/", views.minutes_revisions, name="minutes_revisions"),
    path("versions/<int:number>/", views.minutes_revision, name="minutes_revision"),
    path("relecture/", views.minutes_round_open, name="minutes_round_open"),
    path("relecture/cloture/", views.minutes_round_close, name="minutes_round_close"),
    path("amendements/", views.amendment_create, name="amendment_create"),
    path("relecture/rien-a-signaler/", views.minutes_nothing_to_report, name="minutes_nothing_to_report"),
    path("amendements/<int:pk>/<str:decision>/", views.amendment_decide, name="amendment_decide"),
    path("publier/", views.minutes_publish, name="minutes_publish"),
    path("imprimer/", views.minutes_print, name="minutes_print"),
    path("pdf/", views.minutes_pdf_download, name="minutes_pdf"),
]
