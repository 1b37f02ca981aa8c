"""Access outcomes shared by every app.

``MembersOnly`` is the 404 an app raises when the object exists and every approved member may see
it (a members-only event, page or resource): a visitor is sent to log in and brought back, while a
logged-in viewer who may not see it gets the ordinary 404. Secret things never raise it: for an
outsider they do not exist, and the answer must not differ from a missing object.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


class MembersOnly(Http404):
    """Not visible to this viewer, but visible to any member: log in to see it."""


class MembersOnlyMiddleware:
    """Turns ``MembersOnly`` into a redirect to the login page for visitors' GET requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, MembersOnly) and request.method in ("GET", "HEAD") and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return None
