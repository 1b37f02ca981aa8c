"""Template tags of the public site."""

from django import template

from content.selectors import home_blocks

register = template.Library()


@register.simple_tag
def home_page_blocks(home) -> dict:
    """The home page's blocks (news, next events, places, figures): ``{% home_page_blocks page as home %}``.

    A tag rather than ``HomePage.get_context``, so that the page model does not import the
    selectors that read it."""
    return home_blocks(home=home)
