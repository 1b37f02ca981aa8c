from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from machina import urls as machina_urls

urlpatterns = [
    path("", RedirectView.as_view(url="/forum/", permanent=False)),
    path("accounts/", include("django.contrib.auth.urls")),  # Django's login views (password of every member: peer-bench)
    path("admin/", admin.site.urls),
    path("forum/", include(machina_urls)),
]
