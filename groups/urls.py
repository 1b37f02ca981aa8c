"""Group URLs, mounted at ``/groupes/``: French, readable and stable."""

from django.urls import path

from . import views

app_name = "groups"

urlpatterns = [
    path("", views.group_list, name="group_list"),
    path("nouveau/", views.group_create, name="group_create"),
    path("recherche/", views.search, name="search"),
    path("moderation/", views.hub_moderation, name="hub_moderation"),
    path("<slug:slug>/", views.group_detail, name="group_detail"),
    path("<slug:slug>/modifier/", views.group_edit, name="group_edit"),
    path("<slug:slug>/en-ce-moment/", views.group_panels, name="group_panels"),
    path("<slug:slug>/rejoindre/", views.group_join, name="join"),
    path("<slug:slug>/quitter/", views.group_leave, name="leave"),
    path("<slug:slug>/notifications/", views.group_notify_default, name="notify_default"),
    path("<slug:slug>/membres/", views.group_members, name="members"),
    path("<slug:slug>/membres/<int:user_id>/", views.member_action, name="member_action"),
    path("<slug:slug>/inviter/", views.group_invite, name="invite"),
    path("<slug:slug>/demandes/", views.group_requests, name="requests"),
    path("<slug:slug>/moderation/", views.group_moderation, name="moderation"),
    path("<slug:slug>/sujets/nouveau/", views.topic_create, name="topic_create"),
    path("<slug:slug>/sujets/<int:pk>/", views.topic_detail, name="topic_detail"),
    path("<slug:slug>/sujets/<int:pk>/repondre/", views.post_create, name="post_create"),
    path("<slug:slug>/sujets/<int:pk>/non-lu/", views.topic_first_unread, name="topic_first_unread"),
    path("<slug:slug>/sujets/<int:pk>/suivi/", views.topic_level, name="topic_level"),
    path("<slug:slug>/sujets/<int:pk>/moderer/", views.topic_moderate, name="topic_moderate"),
    path("<slug:slug>/sujets/<int:pk>/sondage/voter/", views.poll_vote, name="poll_vote"),
    path("<slug:slug>/sujets/<int:pk>/sondage/clore/", views.poll_close, name="poll_close"),
    path("<slug:slug>/messages/<int:post_id>/", views.post_permalink, name="post_permalink"),
    path("<slug:slug>/messages/<int:post_id>/modifier/", views.post_edit, name="post_edit"),
    path("<slug:slug>/messages/<int:post_id>/supprimer/", views.post_delete, name="post_delete"),
    path("<slug:slug>/messages/<int:post_id>/masquer/", views.post_hide, name="post_hide"),
    path("<slug:slug>/messages/<int:post_id>/reagir/", views.post_react, name="post_react"),
    path("<slug:slug>/messages/<int:post_id>/signaler/", views.post_report, name="post_report"),
    path("<slug:slug>/messages/<int:post_id>/historique/", views.post_history, name="post_history"),
    path("<slug:slug>/pieces-jointes/<int:pk>/", views.attachment_download, name="attachment_download"),
]
