from django.urls import path

from .consumers import GroupConsumer, TopicConsumer

websocket_urlpatterns = [
    path("ws/groupes/<slug:slug>/", GroupConsumer.as_asgi()),
    path("ws/groupes/<slug:slug>/sujets/<int:topic_id>/", TopicConsumer.as_asgi()),
]
