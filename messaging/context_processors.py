import functools

from .selectors import unread_conversations_count


def unread_messages(request):
    """The header's count of unread conversations, counted at most once per request (lazily)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_messages": functools.cache(lambda: unread_conversations_count(user_id=user.pk))}
