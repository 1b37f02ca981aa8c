# As Spirit's project template (spirit/extra/project_template/project_name/urls.py).
import spirit.urls
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path

admin.site.login = login_required(admin.site.login)

urlpatterns = [
    path("", include(spirit.urls)),
    re_path(r"^admin/", admin.site.urls),
]
