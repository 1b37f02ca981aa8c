from django.urls import path

from .consumers import SessionConsumer
from .datepolls.consumers import DatePollConsumer

websocket_urlpatterns = [
    path("ws/agenda/<slug:slug>/seance/", SessionConsumer.as_asgi()),
    path("ws/agenda/sondages/<str:token>/", DatePollConsumer.as_asgi()),
]
