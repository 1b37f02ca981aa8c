"""URL map: each app owns its French prefix; Wagtail serves the remaining pages."""

from importlib import import_module

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from common import views as common_views
from ops import views as ops_views

# App URL modules mounted when present; an app gains its URLs by adding ``urls.py``.
APP_PREFIXES = [
    ("actions", "actions/"),
    ("messaging", "messages/"),
    ("sharing", "partage/"),
    ("groups", "groupes/"),
    ("events", "agenda/"),
    ("funding", "financements/"),
    ("places", "lieux/"),
    ("labels", "label/"),
    ("orientation", "orientation/"),
    ("content", "ressources/"),
]

handler500 = "common.views.server_error"

urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("compte/", include("allauth.urls")),
    path("manifest.webmanifest", common_views.web_manifest, name="web_manifest"),
    path("sw.js", common_views.service_worker, name="service_worker"),
    path("hors-ligne/", common_views.offline, name="offline"),
    path("apercu-markdown/", common_views.markdown_preview, name="markdown_preview"),
    path("", include("community.urls")),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("observatoire/", include("content.observatory_urls")),
]
for _app, _prefix in APP_PREFIXES:
    try:
        import_module(f"{_app}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_app}.urls":
            raise
        continue
    urlpatterns.append(path(_prefix, include(f"{_app}.urls")))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns.append(path("", include(wagtail_urls)))
