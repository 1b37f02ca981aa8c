"""Every URL pattern of the root resolver, as ``(route, name)`` pairs: the matrix must cover them all."""

from django.urls import URLPattern, URLResolver, get_resolver


def _route(pattern) -> str:
    return str(pattern.pattern)


def all_patterns(resolver=None, prefix="", ns=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            sub_ns = f"{ns}{entry.namespace}:" if entry.namespace else ns
            yield from all_patterns(entry, prefix + _route(entry), sub_ns)
        elif isinstance(entry, URLPattern):
            yield prefix + _route(entry), f"{ns}{entry.name}" if entry.name else ""
