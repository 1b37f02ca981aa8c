"""Template filters and tags available in every template (registered as builtins)."""

from django import template
from django.utils.http import urlencode

from common.markdown import plain_excerpt, render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Render member Markdown, sanitised."""
    return render_markdown(text)


@register.filter
def excerpt(text, length=200):
    return plain_excerpt(text, int(length))


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (for pagination and filters)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + urlencode(sorted((k, v) for k in query for v in query.getlist(k)))


SAFE_URL_SCHEMES = ("http:", "https:", "mailto:", "tel:")


@register.filter
def safe_url(value):
    """A URL typed by someone (or read from a feed or an import), fit for ``href``: http(s),
    mailto and tel only, or a path on this site; anything else (``javascript:``, ``data:``,
    ``vbscript:``…) becomes an empty string. Model validators check most of these fields already;
    this holds for rows written by other paths (imports, feeds, the admin, older data)."""
    if not value:
        return ""
    text = str(value).strip()
    squashed = "".join(ch for ch in text if ch > " " and ch not in "\x7f\u200b\u2028\u2029\ufeff").lower()
    if squashed.startswith(SAFE_URL_SCHEMES) or (squashed.startswith("/") and not squashed.startswith("//")):
        return text
    return ""
