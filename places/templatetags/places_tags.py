from django import template

from places.schema import TYPOLOGIES, split_values

register = template.Library()


@register.filter
def pipe_values(value: str) -> list[str]:
    """``"a|b"`` → ``["a", "b"]`` (multi-valued schema columns)."""
    return split_values(value)


@register.filter
def pipe_join(value: str, separator: str = ", ") -> str:
    return separator.join(split_values(value))


@register.filter
def typology_labels(value: str) -> list[str]:
    return [TYPOLOGIES.get(code, code) for code in split_values(value)]
