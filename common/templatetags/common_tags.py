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
