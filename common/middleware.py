"""Cross-cutting middleware."""

from django.middleware.csp import ContentSecurityPolicyMiddleware as DjangoCSPMiddleware


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
