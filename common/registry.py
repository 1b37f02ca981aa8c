"""Extension points for apps that depend on ``community``.

Imports point one way (ARCHITECTURE.md): ``community`` never imports ``groups`` or ``events``.
Instead, those apps register here, in their ``AppConfig.ready()``:

* dashboard panels (a template plus a context function of the request),
* profile panels (e.g. a member's recent activity), group-page panels (e.g. next events) and
  place-page panels (e.g. "send someone here"), organisation-page panels (e.g. its places' offer),
* personal-data exporters and erasers for the RGPD export and account deletion,
* notification kinds with their label and default delivery,
* demo-data loaders run by ``manage.py load_demo``,
* calendar providers: all-day dates another app adds to a member's private calendar feed (the
  deadlines of the calls their consortia answer, in the events app's "my events" feed),
* audience providers: which audiences (``"group:12"``, ``"event:3"``…) a viewer belongs to, so
  that lower apps (the activity stream, follow-up actions) can filter by rules only a higher app
  knows.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

# Audiences computed during one read-only request, by viewer id (``audiences_memo``). A context
# variable, not an attribute of the user: a websocket consumer keeps its user for the connection's
# life, and a member who joins or leaves a group must see the change on their next page.
_audiences_memo: ContextVar[dict[Any, frozenset[str]] | None] = ContextVar("audiences_memo", default=None)


@contextmanager
def audiences_memo() -> Iterator[None]:
    """Within the block, ``registry.audiences_for`` computes each viewer's audiences once (the
    dashboard's stream and follow-up actions both ask). For reads only: a write in the block could
    change them (``common.middleware.AudiencesMemoMiddleware`` opens it for GET and HEAD)."""
    token = _audiences_memo.set({})
    try:
        yield
    finally:
        _audiences_memo.reset(token)


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[..., dict[str, Any]]
    order: int = 100


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str
    default_delivery: str = "instant"


@dataclass(frozen=True)
class CalendarItem:
    """One all-day date for a member's calendar feed (``uid`` stable, so calendars update in place)."""

    uid: str
    day: Any
    summary: str
    url: str = ""
    description: str = ""


@dataclass
class Registry:
    dashboard_panels: dict[str, Panel] = field(default_factory=dict)
    profile_panels: dict[str, Panel] = field(default_factory=dict)
    group_panels: dict[str, Panel] = field(default_factory=dict)
    moderation_panels: dict[str, Panel] = field(default_factory=dict)
    place_panels: dict[str, Panel] = field(default_factory=dict)
    organisation_panels: dict[str, Panel] = field(default_factory=dict)
    data_exporters: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    account_erasers: dict[str, Callable[[Any], None]] = field(default_factory=dict)
    notification_kinds: dict[str, NotificationKind] = field(default_factory=dict)
    demo_loaders: dict[str, tuple[int, Callable[..., None]]] = field(default_factory=dict)
    audience_providers: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    calendar_providers: dict[str, Callable[[Any], Any]] = field(default_factory=dict)

    def dashboard_panel(self, panel: Panel) -> None:
        """``panel.context(request)``: shown on the member dashboard."""
        self.dashboard_panels[panel.key] = panel

    def profile_panel(self, panel: Panel) -> None:
        """``panel.context(request, profile=...)``: shown on a member's profile page."""
        self.profile_panels[panel.key] = panel

    def group_panel(self, panel: Panel) -> None:
        """``panel.context(request, group=...)``: shown on a group's page (e.g. its next events)."""
        self.group_panels[panel.key] = panel

    def place_panel(self, panel: Panel) -> None:
        """A panel on a place's page: ``context(request, place=...)``."""
        self.place_panels[panel.key] = panel

    def organisation_panel(self, panel: Panel) -> None:
        """A panel on an organisation's page: ``context(request, organisation=...)`` (e.g. its places' offer)."""
        self.organisation_panels[panel.key] = panel

    def moderation_panel(self, panel: Panel) -> None:
        """``panel.context(request)``: shown to hub staff on the hub-wide moderation queue (e.g.
        reported private messages), beside the forum's reports."""
        self.moderation_panels[panel.key] = panel

    def data_exporter(self, key: str, func: Callable[[Any], Any]) -> None:
        """``func(user)`` returns JSON-serialisable data about the user for the RGPD archive."""
        self.data_exporters[key] = func

    def account_eraser(self, key: str, func: Callable[[Any], None]) -> None:
        """``func(user)`` erases the user's personal data in one app (inside the caller's transaction)."""
        self.account_erasers[key] = func

    def notification_kind(self, key: str, label: str, default_delivery: str = "instant") -> None:
        self.notification_kinds[key] = NotificationKind(key, label, default_delivery)

    def demo_loader(self, key: str, func: Callable[..., None], order: int = 100) -> None:
        """``func(stdout)`` adds an app's demo data; ``load_demo`` runs them by ``order``."""
        self.demo_loaders[key] = (order, func)

    def audience_provider(self, key: str, func: Callable[[Any], Any]) -> None:
        """``func(viewer)`` returns the audience strings the viewer belongs to (e.g. the
        ``"group:<id>"`` of every group they may read). Audiences are ``"<prefix>:<id>"`` or a bare
        word; each app owns its prefixes and computes them with the same helpers as its pages."""
        self.audience_providers[key] = func

    def audiences_for(self, viewer) -> set[str]:
        """Every audience ``viewer`` belongs to, "public" included (one query or so per provider;
        once per viewer inside ``audiences_memo``)."""
        memo = _audiences_memo.get()
        key = getattr(viewer, "pk", None)
        if memo is not None and key in memo:
            return set(memo[key])
        audiences = {"public"}
        for func in self.audience_providers.values():
            audiences.update(func(viewer))
        if memo is not None:
            memo[key] = frozenset(audiences)
        return audiences

    def calendar_provider(self, key: str, func: Callable[[Any], Any]) -> None:
        """``func(user)`` returns ``CalendarItem``s to add to the member's private calendar feed."""
        self.calendar_providers[key] = func

    def calendar_items_for(self, user) -> list[CalendarItem]:
        items = []
        for key in sorted(self.calendar_providers):
            items.extend(self.calendar_providers[key](user))
        return items

    def sorted_panels(self, panels: dict[str, Panel]) -> list[Panel]:
        return sorted(panels.values(), key=lambda p: (p.order, p.key))

    def render_panels(self, panels: dict[str, Panel], request, **kwargs) -> list[dict[str, Any]]:
        """Context of each panel (``template`` included), for ``{% include panel.template %}``.

        A panel whose context function returns ``None`` is not shown.
        """
        result = []
        for panel in self.sorted_panels(panels):
            context = panel.context(request, **kwargs)
            if context is not None:
                result.append({"template": panel.template, "key": panel.key, **context})
        return result


registry = Registry()
