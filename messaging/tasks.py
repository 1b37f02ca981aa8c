"""Background work of messaging: the e-mail (or digest item) for messages still unread."""

from django.tasks import task

from .services import unread_notify


@task
def unread_notify_task() -> int:
    return unread_notify()
