from django.urls import path

from .consumers import NotificationCounterConsumer

websocket_urlpatterns = [path("ws/notifications/", NotificationCounterConsumer.as_asgi())]
