"""Template filters and tags available in every template (registered as builtins)."""

import functools
import re
from datetime import datetime, timedelta

from django import template
from django.template.base import token_kwargs
from django.template.defaultfilters import date as django_date_format
from django.template.loader import render_to_string
from django.template.loader_tags import BlockNode
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from common.icons import ICONS
from common.markdown import plain_excerpt, render_markdown
from common.memo import Kept

register = template.Library()


@register.filter
def summarised(form):
    """``form``, marked as having its errors listed in the page's summary
    (``includes/form_errors.html``): its own rendering (``templates/forms/div.html``) then leaves
    the errors that belong to no field to the summary instead of saying them twice."""
    form.errors_summarised = True
    return form


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
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f\u200b\u2028\u2029\ufeff]")  # what browsers skip or we refuse to read past


@register.filter
def safe_url(value):
    """A URL typed by someone (or read from a feed or an import), fit for ``href``: http(s),
    mailto and tel only, or a path on this site; anything else (``javascript:``, ``data:``,
    ``vbscript:``…) becomes an empty string. Model validators check most of these fields already;
    this holds for rows written by other paths (imports, feeds, the admin, older data)."""
    if not value:
        return ""
    text = str(value).strip()
    squashed = _URL_IGNORED.sub("", text).lower()
    if squashed.startswith(SAFE_URL_SCHEMES) or (squashed.startswith("/") and not squashed.startswith("//")):
        return text
    return ""


@register.simple_tag
def icon(name: str, size: int = 20, css_class: str = ""):
    """An inline, decorative SVG icon (``common/icons.py``): ``{% icon "bell" %}``."""
    paths = ICONS.get(name)
    if paths is None:
        return ""
    svg = (
        f'<svg class="icon {css_class}" width="{int(size)}" height="{int(size)}" viewBox="0 0 24 24" fill="none" '
        f'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" '
        f'focusable="false">{paths}</svg>'
    )
    return mark_safe(svg)  # noqa: S308 - constant markup from common/icons.py; size is an int


@functools.lru_cache(maxsize=2048)
def _formatted(local: datetime, zone: str, fmt: str, language: str) -> str:
    return django_date_format(local, fmt)  # ``zone`` in the key: equal instants in two zones compare equal


def date_format(local: datetime, fmt: str) -> str:
    """Django's ``date`` filter for a local time, kept for the last 2,048 (moment, zone, format,
    language): a list of 20 relative times formatted the same moments on every page (~30 µs each,
    the day and month names looked up in the catalogue)."""
    return _formatted(local, str(local.tzinfo), fmt, get_language())


@register.filter(expects_localtime=True)
def local_date(value, fmt):
    """Django's ``date`` filter through ``date_format``'s memo: for lists that format the same
    moments on every page (an agenda page: 30 events' dates, six ways each)."""
    if not isinstance(value, datetime):
        return django_date_format(value, fmt)
    return date_format(value, fmt)


def relative_time(value: datetime, now: datetime | None = None) -> str:
    """A past moment as people say it: "à l'instant", "il y a 5 min", "il y a 3 h", "hier, 14:05",
    "lundi, 09:30" within the week, then "2 déc." this year and "2 déc. 2025" before."""
    now = timezone.localtime(now or timezone.now())
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    delta = now - local
    seconds = delta.total_seconds()
    if seconds < 0:  # a moment in the future (clock skew or a date to come): the date itself
        return date_format(local, "j N Y, H:i")
    if seconds < 60:
        return _("à l'instant")
    if seconds < 3600:
        minutes = int(seconds // 60)
        return ngettext("il y a %(n)d min", "il y a %(n)d min", minutes) % {"n": minutes}
    if local.date() == now.date():
        hours = int(seconds // 3600)
        return ngettext("il y a %(n)d h", "il y a %(n)d h", hours) % {"n": hours}
    if local.date() == (now - timedelta(days=1)).date():
        return _("hier, %(time)s") % {"time": date_format(local, "H:i")}
    if delta < timedelta(days=7):
        return date_format(local, "l, H:i")
    if local.year == now.year:
        return date_format(local, "j N")
    return date_format(local, "j N Y")


@register.filter
def when(value):
    """``<time>`` with the relative moment as text and the full date as a tooltip."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(),
        date_format(local, "l j F Y, H:i"),
        relative_time(value),
    )


@register.filter
def relative_times(items) -> tuple[str, ...]:
    """The relative moment of each item's ``at`` (``relative_time``), for a ``{% once %}`` key: a
    kept list of ``|when`` moments is used again only while each still reads the same."""
    return tuple(relative_time(item.at) for item in items)


@register.simple_tag
def breadcrumbs(*parts):
    """A breadcrumb trail: ``{% breadcrumbs _("Groupes") "/groupes/" group.name group.url topic.title %}``
    — label/URL pairs, then the current page's label (not a link)."""
    *pairs, current = parts
    crumbs = [{"label": pairs[i], "url": pairs[i + 1]} for i in range(0, len(pairs) - 1, 2)]
    return render_to_string("includes/breadcrumbs.html", {"crumbs": crumbs, "current": current})


_ONCE_LIMIT = 1024  # renders per block: a language × its named values (a page's cards: ~1–2 KB each)
# What a kept body holds in place of the CSRF token (its ``{% csrf_token %}``): each use puts in
# the page's own token, so a form can be kept whole.
_CSRF_MARK = "csrf-token-kept-by-once"
_CSRF_INPUT = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_CSRF_MARK}">'


class OnceNode(template.Node):
    """``{% once name=value … %}…{% endonce %}``: markup that is the same for every page and every
    viewer once its named values are known (the header's menus, the footer, a stream card's like
    button and its form) rendered once per process, language and values, then reused (~0.1 ms of
    CPU per ``{% translate %}``, ``{% url %}``, ``{% static %}`` or icon it holds). The body sees
    its named values only — not the request nor the viewer — so what is kept cannot carry one
    viewer's data to another; its ``{% csrf_token %}`` is kept as a mark and each use puts in the
    page's own token (nothing when the page has none, as Django's tag). Each block keeps its own
    renders, for as long as its template is loaded. With ``DEBUG`` on (templates reloaded while
    editing) the body renders every time, the same way.

    A body holds no ``{% block %}`` (refused when the template is read: a kept render cannot
    follow a child template's overrides), so walks of the template tree need not look inside:
    ``{% extends %}`` looks for its base template's blocks through every node on every page
    (``get_nodes_by_type``), and the header's and footer's bodies are most of the base's nodes."""

    child_nodelists = ()

    def __init__(self, nodelist, values):
        self.nodelist, self.values = nodelist, values
        self.kept = Kept(limit=_ONCE_LIMIT)

    def render(self, context):
        values = {name: expression.resolve(context) for name, expression in self.values.items()}
        html = self.kept.get(
            (get_language(), tuple(values.items())), lambda: self.nodelist.render(context.new({**values, "csrf_token": _CSRF_MARK}))
        )
        if _CSRF_MARK not in html:
            return html
        token = context.get("csrf_token")
        if not token or token == "NOTPROVIDED":
            return mark_safe(html.replace(_CSRF_INPUT, "").replace(_CSRF_MARK, ""))
        return mark_safe(html.replace(_CSRF_MARK, conditional_escape(token)))


@register.tag
def once(parser, token):
    bits = token.split_contents()[1:]
    values = token_kwargs(bits, parser, support_legacy=False)
    if bits:
        raise template.TemplateSyntaxError("{% once %} takes name=value pairs only")
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError(
            "{% once %} cannot hold a {% block %}: a kept render would ignore the templates that override it"
        )
    return OnceNode(nodelist, values)
