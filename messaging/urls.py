from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("nouvelle/", views.conversation_create, name="conversation_create"),
    path("bloques/", views.blocks, name="blocks"),
    path("bloquer/<int:user_id>/", views.block_toggle, name="block_toggle"),
    path("signalements/<int:report_id>/", views.report_decide, name="report_decide"),
    path("<int:pk>/", views.conversation_detail, name="conversation_detail"),
    path("<int:pk>/envoyer/", views.message_send, name="message_send"),
    path("<int:pk>/lu/", views.conversation_read, name="conversation_read"),
    path("<int:pk>/quitter/", views.conversation_leave, name="conversation_leave"),
    path("<int:pk>/messages/<int:message_id>/signaler/", views.message_report, name="message_report"),
    path("<int:pk>/pieces-jointes/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
]
