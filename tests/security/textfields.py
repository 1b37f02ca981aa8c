"""Which text columns of our models are *not* in the XSS corpus (``stored.FIELDS``), and why.

``test_xss_render.test_every_text_field_is_in_the_corpus_or_listed_here`` lists every CharField and
TextField (URL and e-mail fields included) declared by the project's own apps and fails on any that
is neither in ``stored.FIELDS`` nor below: a new field someone can type cannot be forgotten.
Two kinds are left out by rule, not by name: fields with ``choices`` (a value from a fixed list,
shown through its label) and ``SlugField`` (``[-a-z0-9_]`` only).

Keep each entry honest: say who writes the value. Something a member can type belongs in the corpus.
"""

# Written by the code, never typed by a person (ids, tokens, hashes, keys, derived search text, logs)
SYSTEM = {
    "ops.PeriodicRun.key",  # periodic job names, from the code
    "ops.PeriodicRun.last_result_id",
    "ops.PeriodicRun.last_status",
    "ops.WorkerHeartbeat.worker_id",
    "ops.WorkerHeartbeat.hostname",
    "community.User.password",  # a hash
    "community.User.username",  # internal, generated (login is by e-mail)
    "community.Organisation.search_text",  # derived from the fields in the corpus, never shown
    "community.Skill.search_text",
    "community.Profile.search_text",
    "places.Place.search_text",
    "funding.FundingCall.search_text",
    "content.Resource.search_text",
    "funding.FundingCall.funder_key",  # normalised keys for duplicate detection
    "funding.FundingCall.title_key",
    "funding.FundingCall.external_id",  # id in the source feed, never shown
    "funding.Source.last_error",  # the poller's exception text, staff page only, auto-escaped
    "community.Invitation.token",
    "community.NotificationPreference.kind",  # a notification kind registered in code
    "community.PushSubscription.p256dh",  # browser push keys
    "community.PushSubscription.auth",
    "community.PushSubscription.endpoint",  # browser-given, checked (https, public host) before use
    "community.OutboundEmail.subject",  # the outbox: rendered from our templates
    "community.OutboundEmail.body_text",
    "community.OutboundEmail.body_html",
    "community.OutboundEmail.kind",
    "community.OutboundEmail.to_email",
    "community.OutboundEmail.dedupe_key",
    "community.OutboundEmail.last_error",
    "community.Activity.verb",  # translated verbs from the code
    "community.Activity.url",  # reverse() of the object's page
    "community.Activity.audience",  # "members", "group:<pk>", "user:<pk>"
    "community.Activity.object_ref",  # "<app.model>:<pk>"
    "actions.Action.origin_kind",  # "groups.group", "events.minutes"...
    "actions.Action.origin_url",  # reverse() of the origin's page
    "actions.Action.audience",
    "actions.Action.container",
    "actions.ActionReminder.key",
    "groups.ModerationLog.action",  # moderation journal, written by the services
    "groups.ModerationLog.details",
    "groups.Membership.notify_default",  # a level name from the code
    "events.Event.uid",  # iCalendar UID
    "events.Registration.code",  # check-in code
    "events.Registration.token",
    "events.CalendarToken.token",
    "events.DatePoll.token",
    "funding.CalendarToken.token",
    "funding.AlertDelivery.channel",
    "funding.ConsortiumAnnouncement.reason",  # why a member was told: built by the matcher
    "labels.Evidence.content_type",  # sniffed from the file
    "labels.AuditEntry.action",  # state machine names
    "labels.AuditEntry.from_state",
    "labels.AuditEntry.to_state",
    "labels.Assertion.identity_hash",  # Open Badges hashed recipient
    "labels.Assertion.salt",
    "content.Resource.file_type",  # sniffed from the file
}

# Official reference data (INSEE, schema vocabularies), loaded by commands, not typed on a page
REFERENCE = {
    "community.Region.code",
    "community.Region.name",
    "community.Department.code",
    "community.Department.name",
    "community.Commune.insee",
    "community.Commune.name",
    "community.Commune.postcode",
}

# Formats and closed vocabularies checked by validators on the model field (service full_clean)
VALIDATED = {
    "community.Organisation.siret",  # 14 digits
    "places.Place.schema_id",  # generated uuid, kept from imports
    "places.Place.pivot",  # SIRET or RNA (validate_pivot)
    "places.Place.code_postal",
    "places.Place.code_insee",
    "places.Place.telephone",  # validate_phone
    "places.Place.courriels",  # validate_emails
    "places.Place.horaires",  # OSM opening_hours, parsed (error with its position)
    "places.Place.source",  # data.inclusion source name of an import
    "places.Place.typologie",  # schema vocabularies (comma lists), checked value by value
    "places.Place.itinerance",
    "places.Place.services",
    "places.Place.publics_specifiquement_adresses",
    "places.Place.prise_en_charge_specifique",
    "places.Place.frais_a_charge",
    "places.Place.dispositif_programmes_nationaux",
    "places.Place.formations_labels",
    "places.Place.modalites_acces",
    "places.Place.modalites_accompagnement",
    "places.Place.langues",
    "places.Place.accessibilite",
    "funding.FundingCall.themes",  # vocabulary comma lists
    "funding.FundingCall.beneficiaries",
}

# Written by the hub team only (Wagtail editors, the admin, staff settings)
STAFF = {
    "community.SkillCategory.name",  # the skills référentiel (seeded, admin)
    "community.HubSettings.welcome_text",
    "community.Invitation.message",  # staff invitation, sent by e-mail only
    "groups.Category.name",
    "funding.Source.default_funder",
    "labels.Referential.title",  # the label référentiel (admin)
    "labels.Referential.description",
    "labels.Axis.name",
    "labels.Criterion.code",
    "labels.Criterion.title",
    "labels.Criterion.description",
    "labels.Criterion.expected_evidence",
    "labels.Criterion.scale_help",
    "content.HomePage.hero_title",  # Wagtail pages: editors, StreamField/rich text sanitised by Wagtail
    "content.HomePage.hero_text",
    "content.HomePage.body",
    "content.StandardPage.intro",
    "content.StandardPage.body",
    "content.NewsIndexPage.intro",
    "content.NewsPage.intro",
    "content.NewsPage.image_alt",
    "content.NewsPage.body",
    "content.ObservatorySettings.public_intro",
    "content.Theme.name",
    "content.Audience.name",
}

# Typed by people and shown, but not in the corpus yet: known gaps, to move into stored.FIELDS
KNOWN_GAPS = {
    "community.User.first_name",  # not shown (public_name is the profile's display_name); RGPD export
    "community.User.last_name",
    "community.User.email",  # e-mails: EmailValidator allows a quoted local part ("<b>"@x.fr)
    "community.Invitation.email",
    "community.PushSubscription.user_agent",  # the member's own browser string, on their own page
    "groups.GroupInvitation.email",
    "groups.PostRevision.body",  # old post text on the moderators' history page
    "events.EventSeries.title",
    "events.SessionTimer.label",
    "events.BreakoutNote.body",
    "events.Registration.email",
    "events.DatePollGuest.email",
    "labels.Score.comment",
    "labels.Label.end_reason",
    "labels.Assertion.revocation_reason",
    "funding.Source.url",
    "content.Resource.file_name",  # the upload's own name: not shown on any page today
}

NOT_IN_CORPUS = SYSTEM | REFERENCE | VALIDATED | STAFF | KNOWN_GAPS


def text_fields() -> set[str]:
    """``app.Model.field`` for every text column declared by the project's own apps (inherited
    Wagtail/Django fields excluded), less the ones excluded by rule (choices, slugs)."""
    from django.apps import apps
    from django.conf import settings
    from django.db import models

    base = str(settings.BASE_DIR)
    out = set()
    for config in apps.get_app_configs():
        if not config.path.startswith(base) or "/.venv/" in config.path or "site-packages" in config.path:
            continue
        for model in config.get_models():
            for f in model._meta.local_fields:
                if isinstance(f, models.CharField | models.TextField) and not f.choices and not isinstance(f, models.SlugField):
                    out.add(f"{model._meta.label}.{f.name}")
    return out
