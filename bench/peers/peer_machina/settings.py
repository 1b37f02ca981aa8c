"""Settings of the django-machina peer forum (benchmark only): machina's example project's choices
with base_settings.py's production-like ones. Knobs: see base_settings.py."""

from pathlib import Path

from base_settings import *  # noqa: F403
from base_settings import database, django_apps, middleware, out_dir, redis_cache, storages, templates
from machina import MACHINA_MAIN_STATIC_DIR, MACHINA_MAIN_TEMPLATE_DIR

HERE = Path(__file__).resolve().parent
OUT = out_dir("machina")

SECRET_KEY = "peer-forum-benchmark-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"

INSTALLED_APPS = [
    *django_apps("auth", "contenttypes", "sessions", "sites", "messages", "staticfiles", "admin"),
    # Machina dependencies
    "mptt",
    "haystack",
    "widget_tweaks",
    # Machina apps
    "machina",
    "machina.apps.forum",
    "machina.apps.forum_conversation",
    "machina.apps.forum_conversation.forum_attachments",
    "machina.apps.forum_conversation.forum_polls",
    "machina.apps.forum_feeds",
    "machina.apps.forum_moderation",
    "machina.apps.forum_search",
    "machina.apps.forum_tracking",
    "machina.apps.forum_member",
    "machina.apps.forum_permission",
]
MIDDLEWARE = middleware("machina.apps.forum_permission.middleware.ForumPermissionMiddleware")

ROOT_URLCONF = "peer_machina.urls"
WSGI_APPLICATION = "peer_machina.wsgi.application"
# templates/board_base.html: machina's example project's override (navbar with the member's username)
TEMPLATES = templates([HERE / "templates", MACHINA_MAIN_TEMPLATE_DIR], "machina.core.context_processors.metadata")

DATABASES = database("peer_forum")
CACHES = {
    # Machina uses no cache on the measured pages: this one holds the sessions.
    "default": redis_cache("redis://127.0.0.1:6379/12", "peerforum"),
    # required by machina (temporary post attachments), file based as its docs say
    "machina_attachments": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": "/tmp/peer_forum_attachments"},
}

# Haystack's simple backend (machina's documented starting point; search is not measured).
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}

TIME_ZONE = "Europe/Paris"
SITE_ID = 1

STATIC_ROOT = OUT / "staticfiles"
STATICFILES_DIRS = [MACHINA_MAIN_STATIC_DIR]
STORAGES = storages()
MEDIA_ROOT = OUT / "media"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/forum/"

MACHINA_FORUM_NAME = "Peer forum"
# As machina's example project: what a logged-in member may do when no other rule applies.
# (The seed also writes explicit global UserForumPermission rows for anonymous and authenticated.)
MACHINA_DEFAULT_AUTHENTICATED_USER_FORUM_PERMISSIONS = [
    "can_see_forum",
    "can_read_forum",
    "can_start_new_topics",
    "can_reply_to_topics",
    "can_edit_own_posts",
    "can_post_without_approval",
    "can_create_polls",
    "can_vote_in_polls",
    "can_download_file",
]
