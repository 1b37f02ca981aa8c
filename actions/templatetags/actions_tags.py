"""``{% actions_for_origin "groups.topic" topic.pk %}``: the actions of one object, for its page.

Shows the actions of that origin the viewer may see (owners, due date, status) and, when the
origin lets the viewer add some, a link to the creation form that comes back to the page.
Costs three queries or so: the viewer's audiences, the actions, their owners.
"""

from django import template

from ..origins import origin_resolve
from ..selectors import origin_actions

register = template.Library()


@register.inclusion_tag("actions/includes/origin_actions.html", takes_context=True)
def actions_for_origin(context, kind, origin_id, title=""):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    origin = origin_resolve(viewer=user, kind=kind, origin_id=origin_id)
    if origin is None:
        return {"show": False}
    actions = origin_actions(viewer=user, kind=kind, origin_id=origin_id)
    return {"show": bool(actions) or origin.can_add, "actions": actions, "origin": origin, "title": title, "request": request}
