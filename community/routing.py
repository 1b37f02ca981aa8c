from django.urls import path

from .consumers import NotificationCounterConsumer, StreamConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationCounterConsumer.as_asgi()),
    path("ws/reseau/", StreamConsumer.as_asgi()),
]
