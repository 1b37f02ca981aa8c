from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("", views.my_actions_view, name="mine"),
    path("tableau/<str:container>/", views.board_view, name="board"),
    path("nouvelle/<str:kind>/<int:origin_id>/", views.action_create_view, name="create"),
    path("<int:pk>/", views.action_detail_view, name="detail"),
    path("<int:pk>/modifier/", views.action_edit_view, name="edit"),
    path("<int:pk>/statut/", views.action_status_view, name="status"),
    path("<int:pk>/commenter/", views.action_comment_view, name="comment"),
]
