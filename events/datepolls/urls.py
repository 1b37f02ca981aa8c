from django.urls import path

from . import views

# Included by events/urls.py under "sondages/" (names in the "events" namespace).
urlpatterns = [
    path("", views.datepoll_list, name="datepoll_list"),
    path("nouveau/", views.datepoll_create, name="datepoll_create"),
    path("invite/<str:token>/", views.datepoll_guest, name="datepoll_guest"),
    path("<str:token>/", views.datepoll_detail, name="datepoll_detail"),
    path("<str:token>/repondre/", views.datepoll_answer, name="datepoll_answer"),
    path("<str:token>/cloturer/", views.datepoll_close, name="datepoll_close"),
    path("<str:token>/evenement/", views.datepoll_to_event, name="datepoll_to_event"),
    path("<str:token>/inviter/", views.datepoll_invite, name="datepoll_invite"),
]
