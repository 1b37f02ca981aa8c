from django.urls import path

from .consumers import SessionConsumer

websocket_urlpatterns = [path("ws/agenda/<slug:slug>/seance/", SessionConsumer.as_asgi())]
