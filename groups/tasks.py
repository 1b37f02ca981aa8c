"""Background work of the groups app: tasks load rows by id and call services."""

from django.tasks import task

from .notify import post_notify


@task
def post_notify_task(post_id: int) -> int:
    return post_notify(post_id=post_id)
