from django.urls import include, path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.agenda, name="agenda"),
    path("passes/", views.past, name="past"),
    path("agenda.ics", views.public_ics, name="public_ics"),
    path("groupe/<slug:slug>.ics", views.group_ics, name="group_ics"),
    path("mes-evenements/", views.my_events, name="my_events"),
    path("mes-evenements/<str:token>.ics", views.my_ics, name="my_ics"),
    path("nouvel-evenement/", views.event_create, name="event_create"),
    path("inscription/<str:token>/confirmer/", views.registration_confirm_token, name="registration_confirm_token"),
    path("inscription/<str:token>/annuler/", views.registration_cancel_token, name="registration_cancel_token"),
    path("sondages/", include("events.datepolls.urls")),
    path("<slug:slug>/", views.event_detail, name="event_detail"),
    path("<slug:slug>.ics", views.event_ics, name="event_ics"),
    path("<slug:slug>/modifier/", views.event_edit, name="event_edit"),
    path("<slug:slug>/annuler/", views.event_cancel, name="event_cancel"),
    path("<slug:slug>/formulaire/", views.questions, name="questions"),
    path("<slug:slug>/formulaire/<int:pk>/supprimer/", views.question_delete, name="question_delete"),
    path("<slug:slug>/inscription/", views.signup, name="signup"),
    path("<slug:slug>/desinscription/", views.unregister, name="unregister"),
    path("<slug:slug>/confirmer-ma-place/", views.offer_accept, name="offer_accept"),
    path("<slug:slug>/inscrits/", views.registrations, name="registrations"),
    path("<slug:slug>/inscrits/ajouter/", views.registration_add, name="registration_add"),
    path("<slug:slug>/inscrits/pointage/", views.check_in_code, name="check_in_code"),
    path("<slug:slug>/inscrits/<int:pk>/<str:action>/", views.registration_action, name="registration_action"),
    path("<slug:slug>/inscrits.csv", views.export_csv, name="export_csv"),
    path("<slug:slug>/inscrits.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<slug:slug>/code/<str:code>.svg", views.qr_code, name="qr_code"),
    path("<slug:slug>/attestation/", views.certificate, name="certificate"),
    path("<slug:slug>/attestation.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("<slug:slug>/propositions/", views.proposals, name="proposals"),
    path("<slug:slug>/propositions/nouvelle/", views.proposal_create, name="proposal_create"),
    path("<slug:slug>/propositions/<int:pk>/decision/", views.proposal_decide, name="proposal_decide"),
    path("<slug:slug>/sous-groupes/nouveau/", views.breakout_create, name="breakout_create"),
    path("<slug:slug>/seance/", views.session, name="session"),
    path("<slug:slug>/seance/<int:pk>/rejoindre/", views.breakout_choose, name="breakout_choose"),
    path("<slug:slug>/seance/<int:pk>/notes/", views.note_create, name="note_create"),
    path("<slug:slug>/seance/<int:pk>/restitution/", views.restitution_publish, name="restitution_publish"),
]
