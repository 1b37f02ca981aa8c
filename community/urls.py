from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("reseau/", views.stream, name="stream"),
    path("reseau/activite/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("reseau/activite/<int:pk>/jaime/", views.activity_like, name="activity_like"),
    path("reseau/activite/<int:pk>/commenter/", views.activity_comment, name="activity_comment"),
    path("reseau/commentaires/<int:pk>/supprimer/", views.activity_comment_delete, name="activity_comment_delete"),
    path("membres/", views.directory, name="directory"),
    path("membres/<int:pk>/suivre/", views.follow_member, name="follow_member"),
    path("membres/<int:pk>/", views.profile_detail, name="profile_detail"),
    path("membres/<int:pk>/modifier/", views.profile_edit, name="profile_edit_other"),
    path("membres/organisations/", views.organisation_list, name="organisation_list"),
    path("membres/organisations/nouvelle/", views.organisation_create, name="organisation_create"),
    path("membres/organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("membres/organisations/<slug:slug>/modifier/", views.organisation_edit, name="organisation_edit"),
    path("membres/organisations/<slug:slug>/gestionnaires/", views.organisation_manager_add, name="organisation_manager_add"),
    path(
        "membres/organisations/<slug:slug>/gestionnaires/<int:user_id>/retirer/",
        views.organisation_manager_remove,
        name="organisation_manager_remove",
    ),
    path("membres/organisations/<slug:slug>/suivre/", views.follow_organisation, name="follow_organisation"),
    path("membres/en-attente/", views.pending_members, name="pending_members"),
    path("membres/en-attente/<int:pk>/", views.pending_member_decide, name="pending_member_decide"),
    path("membres/invitations/", views.invitations, name="invitations"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("mon-profil/", views.profile_edit, name="profile_edit"),
    path("mes-notifications/", views.notification_list, name="notifications"),
    path("mes-notifications/<int:pk>/lue/", views.notification_read, name="notification_read"),
    path("mes-notifications/tout-lu/", views.notification_read_all, name="notification_read_all"),
    path("mes-notifications/preferences/", views.notification_preferences, name="notification_preferences"),
    path("mes-notifications/appareils/", views.push_subscribe, name="push_subscribe"),
    path("mes-notifications/appareils/retirer/", views.push_unsubscribe, name="push_unsubscribe"),
    path("en-attente/", views.pending, name="pending"),
    path("mes-donnees/", views.my_data, name="my_data"),
    path("mes-donnees/telecharger/", views.my_data_download, name="my_data_download"),
    path("mes-donnees/annuaire/", views.my_data_leave_directory, name="my_data_leave_directory"),
    path("mes-donnees/supprimer/", views.my_data_erase, name="my_data_erase"),
]
