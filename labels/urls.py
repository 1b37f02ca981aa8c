from django.urls import path

from . import views

app_name = "labels"

urlpatterns = [
    path("", views.index, name="index"),
    path("verifier/<uuid:uid>/", views.verify, name="verify"),
    path("badges/emetteur.json", views.ob_issuer, name="ob_issuer"),
    path("badges/<slug:slug>/", views.badge_class_page, name="badge_class_page"),
    path("badges/<slug:slug>/badge.json", views.ob_badge_class, name="ob_badge_class"),
    path("badges/<slug:slug>/image.png", views.badge_image, name="badge_image"),
    path("assertions/<uuid:uid>.json", views.ob_assertion, name="ob_assertion"),
    path("assertions/<uuid:uid>/revoquer/", views.assertion_revoke, name="assertion_revoke"),
    path("candidatures/", views.my_applications, name="my_applications"),
    path("candidatures/nouvelle/", views.application_create, name="application_create"),
    path("candidatures/<int:pk>/", views.application_detail, name="application_detail"),
    path("candidatures/<int:pk>/modifier/", views.application_edit, name="application_edit"),
    path("candidatures/<int:pk>/pieces/", views.evidence_upload, name="evidence_upload"),
    path("candidatures/<int:pk>/pieces/<int:evidence_pk>/", views.evidence_download, name="evidence_download"),
    path("candidatures/<int:pk>/pieces/<int:evidence_pk>/supprimer/", views.evidence_delete, name="evidence_delete"),
    path("candidatures/<int:pk>/deposer/", views.application_submit, name="application_submit"),
    path("candidatures/<int:pk>/sans-suite/", views.application_step, {"step": "abandon"}, name="application_abandon"),
    path("candidatures/<int:pk>/evaluateurs/", views.application_assign, name="application_assign"),
    path("candidatures/<int:pk>/evaluation/", views.review_edit, name="review_edit"),
    path("candidatures/<int:pk>/corrections/", views.application_step, {"step": "corrections"}, name="application_corrections"),
    path("candidatures/<int:pk>/visite/", views.application_visit, name="application_visit"),
    path("candidatures/<int:pk>/decision/", views.application_decide, name="application_decide"),
    path("labels/<int:pk>/retrait/", views.label_withdraw, name="label_withdraw"),
    path("labels/<int:pk>/renouvellement/", views.label_renew, name="label_renew"),
    path("equipe/", views.staff_dashboard, name="staff_dashboard"),
    path("equipe/candidatures/", views.staff_applications, name="staff_applications"),
    path("equipe/comite/", views.committee, name="committee"),
    path("equipe/referentiels/", views.referential_list, name="referential_list"),
    path("equipe/referentiels/nouvelle-version/", views.referential_new_version, name="referential_new_version"),
    path("equipe/referentiels/<int:pk>/", views.referential_detail, name="referential_detail"),
    path("equipe/referentiels/<int:pk>/publier/", views.referential_publish, name="referential_publish"),
    path("equipe/badges/", views.badge_issue, name="badge_issue"),
]
