from django.urls import path

from .consumers import ConversationConsumer, InboxConsumer

websocket_urlpatterns = [
    path("ws/messages/", InboxConsumer.as_asgi()),
    path("ws/messages/<int:pk>/", ConversationConsumer.as_asgi()),
]
