"""Cross-cutting middleware."""

from django.middleware.csp import ContentSecurityPolicyMiddleware as DjangoCSPMiddleware

from .registry import audiences_memo


class ContentSecurityPolicyMiddleware(DjangoCSPMiddleware):
    """Django's CSP middleware, except for Wagtail's and Django's admin.

    Wagtail's admin relies on inline styles and scripts of its own; it is reserved to staff and
    keeps Django's other protections. Every page members and visitors see gets the strict policy.
    """

    EXEMPT_PREFIXES = ("/cms/", "/django-admin/")

    def process_response(self, request, response):
        if request.path.startswith(self.EXEMPT_PREFIXES):
            return response
        return super().process_response(request, response)


class AudiencesMemoMiddleware:
    """A GET or HEAD computes each viewer's audiences once (``common.registry.audiences_memo``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with audiences_memo():
            return self.get_response(request)
