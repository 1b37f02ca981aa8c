"""Stored-XSS set-up shared by the server-side render test and the Chromium test: which fields
hold user text (``FIELDS``), how a share of the corpus is written into them (``fill``), and the
pages that show them (``PAGES``, with the role that may see each).

Values are written straight into the rows (``QuerySet.update``), past form validation: what is
tested is the rendering, whatever path the text came in by (forms, imports, feeds, the admin).
"""

from datetime import timedelta

from django.db import models
from django.utils import timezone

from tests.security.htmlcheck import load_payloads

PAYLOADS = load_payloads()
URL_PAYLOADS = [
    "javascript:alert(1)",
    "JaVaScRiPt:window.__xss(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "javascript://exemple.fr/%0aalert(1)",
    'https://exemple.fr/"><script>alert(1)</script>',
]


def _value(field, share, r, marker):
    if isinstance(field, models.URLField) or field.name in {"site_web", "official_url", "application_url", "online_url", "website", "url"}:
        return URL_PAYLOADS[r % len(URL_PAYLOADS)]
    head = f"{marker} "
    if isinstance(field, models.TextField) and not field.max_length:
        return head + "\n\n".join(share)
    limit = field.max_length or 200
    out = head
    # short fields: as many of the share's payloads as fit, starting at a different one per field
    start = (hash(field.name) % len(share)) if share else 0
    for payload in share[start:] + share[:start]:
        if len(out) + len(payload) + 1 <= limit:
            out += payload + " "
    return out.strip()[:limit]


# (object key in the world or callable(world) -> queryset, field names)
FIELDS = [
    ("open_group", ["name", "description"]),
    ("secret_group", ["description"]),
    ("open_topic", ["title"]),
    ("public_group", ["name", "description"]),
    ("public_topic", ["title"]),
    ("secret_topic", ["title"]),
    (lambda w: _posts(w), ["body"]),
    (lambda w: _group_reports(w), ["reason"]),
    (lambda w: _polls(w), ["question"]),
    (lambda w: _poll_options(w), ["label"]),
    (lambda w: _profiles(w), ["display_name", "metier_other", "bio"]),
    (lambda w: _referential_skill(w), ["name", "description", "aliases", "needs"]),
    ("organisation", ["name", "description", "website"]),
    ("event", ["title", "summary", "description", "address", "tags", "online_url"]),
    ("session", ["title", "summary", "description"]),
    ("question", ["label", "help_text"]),
    ("registration", ["name", "intention_message"]),
    ("reviewed_event", ["title", "summary", "review_note"]),
    ("pending_event", ["title", "summary"]),
    ("proposal", ["title", "pitch", "wants"]),
    ("breakout", ["title", "restitution"]),
    (
        "place",
        [
            "nom",
            "adresse",
            "complement_adresse",
            "commune",
            "presentation_resume",
            "presentation_detail",
            "structure_parente",
            "autres_formations_labels",
            "site_web",
            "prise_rdv",
            "fiche_acces_libre",
        ],
    ),
    ("hidden_place", ["nom", "presentation_resume"]),
    ("application", ["decision_reason", "conditions"]),
    (lambda w: _answers(w), ["text"]),
    (lambda w: _reviews(w), ["comment"]),
    (lambda w: _audit(w), ["comment"]),
    ("badge", ["name", "description", "criteria", "tags"]),
    ("assertion", ["narrative", "recipient_name"]),
    ("resource", ["title", "summary", "description", "authors", "url", "moderation_note"]),
    ("resource_report", ["reason"]),
    ("collection", ["title", "description"]),
    ("call", ["title", "funders", "description", "eligibility", "rate", "official_url", "application_url"]),
    ("partner_search", ["message"]),
    ("consortium", ["name", "description", "partners_wanted", "funder_answer"]),
    ("consortium_member", ["role"]),
    ("support_request", ["message", "answer"]),
    ("watch", ["name"]),
    (lambda w: _label_place(w), ["nom", "commune", "presentation_resume"]),
    (lambda w: w.users["member"].notifications.all(), ["verb", "description"]),
    ("source", ["name"]),
    ("action", ["description", "origin_title", "container_title"]),
    ("datepoll", ["title", "description", "location"]),
    (lambda w: w.datepoll.answers.all(), ["name"]),
    (lambda w: w.action.entries.all(), ["body"]),
    ("minutes", ["body"]),
    (lambda w: w.minutes.revisions.all(), ["body", "note"]),
    (lambda w: w.minutes.amendments.all(), ["body", "section", "response"]),
    (lambda w: _private_messages(w), ["body"]),
    ("conversation", ["subject"]),
    ("message_report", ["reason"]),
    ("shared_item", ["name", "description", "location"]),
    ("booking", ["message", "decision_note"]),
    ("item_photo", ["alt"]),
    # personal data of the person referred (read by the sender and the place), the place's answer
    (lambda w: _referrals(w), ["person_name", "person_contact", "note", "answer_note"]),
    ("activity", ["title", "summary"]),
    (lambda w: w.activity.comments.all(), ["body"]),
    ("reported_call", ["title", "funders", "decline_reason"]),
    (lambda w: w.consortium.history.all(), ["note"]),
    # uploaded files' own names: forum (and consortium files), private messages, label evidence
    (lambda w: _attachments(w), ["original_name"]),
    ("message_attachment", ["original_name"]),
    ("evidence", ["original_name"]),
]


def _referrals(w):
    from orientation.models import Referral

    return Referral.objects.filter(pk__in=[w.referral.pk, w.answered_referral.pk])


def _attachments(w):
    from groups.models import Attachment

    return Attachment.objects.filter(post__topic__in=[w.open_topic, w.secret_topic, w.consortium.files_topic])


def _guest_url(w):
    from django.urls import reverse

    from events.datepolls.access import guest_link_token

    return reverse("events:datepoll_guest", args=[guest_link_token(w.datepoll_guest)])


def _private_messages(w):
    from messaging.models import Message

    return Message.objects.filter(conversation=w.conversation)


def _referential_skill(w):
    from community.models import Skill

    return Skill.objects.filter(pk=Skill.objects.filter(in_referential=True).order_by("pk").values("pk")[:1])


def _label_place(w):
    from places.models import Place

    return Place.objects.filter(pk=w.label.place_id)


def _posts(w):
    from groups.models import Post

    return Post.objects.filter(topic__in=[w.open_topic, w.secret_topic, w.public_topic])


def _polls(w):
    from groups.models import Poll

    return Poll.objects.filter(topic__in=[w.open_topic, w.secret_topic])


def _poll_options(w):
    from groups.models import PollOption

    return PollOption.objects.filter(poll__topic__in=[w.open_topic, w.secret_topic])


def _group_reports(w):
    from groups.models import Report

    return Report.objects.filter(post__topic__in=[w.open_topic, w.secret_topic])


def _profiles(w):
    from community.models import Profile

    return Profile.objects.filter(user__in=[u for u in w.users.values() if u is not None])


def _answers(w):
    from labels.models import Answer

    return Answer.objects.filter(application=w.application)


def _reviews(w):
    from labels.models import Review

    return Review.objects.filter(application=w.application)


def _audit(w):
    from labels.models import AuditEntry

    return AuditEntry.objects.filter(application=w.application)


def fill(w, share, r, marker):
    """Write ``share`` (a list of payloads) into every field of ``FIELDS``; ``marker`` leads each
    value so a page can be checked to show the stored text; ``r`` picks the hostile URL."""
    for target, names in FIELDS:
        if callable(target):
            qs = target(w)
        else:
            obj = w.objs[target]
            qs = type(obj).objects.filter(pk=obj.pk)
        model = qs.model
        values = {name: _value(model._meta.get_field(name), share, r, marker) for name in names}
        if any(f.name == "updated_at" for f in model._meta.fields):
            # like a real save: fragment caches keyed by updated_at must see the new text
            values["updated_at"] = timezone.now() + timedelta(seconds=r)
        qs.update(**values)
    # past the models' signals: the visitors' page cache must not serve the previous round
    from groups.visitor_cache import visitor_pages_expire

    visitor_pages_expire(w.public_group.pk)
    # structured fields: sign-up answers, profile links, question choices
    from community.models import Profile
    from events.models import Question, Registration

    Registration.objects.filter(pk=w.registration.pk).update(answers={str(w.question.pk): f"{marker} " + " ".join(share)})
    Question.objects.filter(pk=w.question.pk).update(choices="\n".join(share[:20]))
    Profile.objects.filter(user=w.users["member"]).update(links=[URL_PAYLOADS[r % len(URL_PAYLOADS)], "https://exemple.fr/ok"])


# (viewer role, url builder) for every page that shows the fields above
PAGES = [
    ("member", lambda w: "/groupes/"),
    # visitors (not logged in) read public groups, from the shared page cache
    ("anonymous", lambda w: "/groupes/"),
    ("anonymous", lambda w: w.public_group.get_absolute_url()),
    ("anonymous", lambda w: w.public_topic.get_absolute_url()),
    ("member", lambda w: w.open_group.get_absolute_url()),
    ("member", lambda w: w.secret_group.get_absolute_url()),
    ("member", lambda w: f"/groupes/{w.open_group.slug}/en-ce-moment/"),
    ("member", lambda w: f"/groupes/{w.secret_group.slug}/en-ce-moment/"),
    ("member", lambda w: w.open_topic.get_absolute_url()),
    ("member", lambda w: w.secret_topic.get_absolute_url()),
    ("member", lambda w: "/groupes/recherche/?q=XSSR"),
    ("moderator", lambda w: f"/groupes/{w.open_group.slug}/moderation/"),
    ("moderator", lambda w: f"/groupes/{w.open_group.slug}/messages/{w.open_post.pk}/historique/"),
    ("staff", lambda w: "/groupes/moderation/"),
    ("member", lambda w: f"/groupes/{w.open_group.slug}/membres/"),
    ("anonymous", lambda w: f"/membres/{w.users['member'].pk}/"),
    ("outsider", lambda w: f"/membres/{w.users['member'].pk}/"),
    ("member", lambda w: "/membres/"),
    ("member", lambda w: "/mon-profil/"),
    ("member", lambda w: "/membres/?q=XSSR"),
    ("member", lambda w: f"/membres/organisations/{w.organisation.slug}/"),
    ("member", lambda w: "/membres/organisations/"),
    ("member", lambda w: "/tableau-de-bord/"),
    ("member", lambda w: "/mes-notifications/"),
    ("staff", lambda w: "/membres/en-attente/"),
    ("member", lambda w: "/agenda/"),
    ("member", lambda w: w.event.get_absolute_url()),
    ("member", lambda w: w.session.get_absolute_url()),
    ("member", lambda w: f"/agenda/{w.session.slug}/seance/"),
    ("member", lambda w: "/agenda/mes-evenements/"),
    ("staff", lambda w: f"/agenda/{w.event.slug}/inscrits/"),
    ("staff", lambda w: f"/agenda/{w.event.slug}/formulaire/"),
    ("staff", lambda w: f"/agenda/{w.session.slug}/propositions/"),
    ("staff", lambda w: f"/agenda/{w.event.slug}/modifier/"),
    ("member", lambda w: "/partage/"),
    ("member", lambda w: w.shared_item.get_absolute_url()),
    ("place_manager", lambda w: w.shared_item.get_absolute_url()),
    ("place_manager", lambda w: f"{w.shared_item.get_absolute_url()}photos/"),
    ("member", lambda w: w.booking.get_absolute_url()),
    ("member", lambda w: "/partage/reservations/"),
    ("place_manager", lambda w: "/partage/reservations/"),
    ("anonymous", lambda w: "/lieux/"),
    ("anonymous", lambda w: f"/lieux/{w.place.pk}/"),
    ("place_manager", lambda w: "/lieux/mes-lieux/"),
    ("staff", lambda w: "/lieux/moderation/"),
    ("place_manager", lambda w: f"/lieux/{w.place.pk}/modifier/"),
    ("place_manager", lambda w: f"/label/candidatures/{w.application.pk}/"),
    ("reviewer", lambda w: f"/label/candidatures/{w.application.pk}/"),
    ("reviewer", lambda w: f"/label/candidatures/{w.application.pk}/evaluation/"),
    ("staff", lambda w: f"/label/candidatures/{w.application.pk}/"),
    ("staff", lambda w: "/label/equipe/candidatures/"),
    ("staff", lambda w: f"/label/candidatures/{w.application.pk}/decision/"),
    ("anonymous", lambda w: f"/label/verifier/{w.label_assertion.uid}/"),
    ("anonymous", lambda w: f"/label/badges/{w.badge.slug}/"),
    ("anonymous", lambda w: "/label/"),
    ("member", lambda w: f"/membres/{w.users['member'].pk}/"),
    ("anonymous", lambda w: "/ressources/"),
    ("anonymous", lambda w: w.resource.get_absolute_url()),
    ("member", lambda w: "/ressources/mes-ressources/"),
    ("staff", lambda w: "/ressources/moderation/"),
    ("member", lambda w: f"/ressources/collections/{w.collection.slug}/"),
    ("member", lambda w: "/ressources/collections/"),
    ("member", lambda w: "/financements/"),
    ("member", lambda w: w.call.get_absolute_url()),
    ("member", lambda w: "/financements/alertes/"),
    ("staff", lambda w: "/financements/sources/"),
    ("staff", lambda w: f"/financements/appel/{w.call.slug}/modifier/"),
    ("member", lambda w: w.datepoll.get_absolute_url()),
    ("member", lambda w: "/agenda/sondages/"),
    ("anonymous", lambda w: _guest_url(w)),
    ("member", lambda w: w.consortium.get_absolute_url()),
    ("member", lambda w: "/financements/consortiums/"),
    ("member", lambda w: "/financements/mes-demandes-d-aide/"),
    ("staff", lambda w: "/financements/consortiums/bilan/"),
    ("staff", lambda w: "/financements/aide/"),
    ("staff", lambda w: f"/financements/aide/{w.support_request.pk}/"),
    ("member", lambda w: w.minutes.get_absolute_url()),
    ("member", lambda w: f"{w.minutes.get_absolute_url()}versions/"),
    ("member", lambda w: f"{w.minutes.get_absolute_url()}versions/1/"),
    ("member", lambda w: f"{w.minutes.get_absolute_url()}imprimer/"),
    ("group_admin", lambda w: f"{w.minutes.get_absolute_url()}rediger/"),
    ("member", lambda w: w.group_event.get_absolute_url()),
    ("member", lambda w: "/actions/"),
    ("member", lambda w: w.action.get_absolute_url()),
    ("group_admin", lambda w: f"/actions/tableau/group:{w.secret_group.pk}/"),
    ("group_admin", lambda w: f"/actions/{w.action.pk}/modifier/"),
    ("member", lambda w: "/messages/"),
    ("moderator", lambda w: w.conversation.get_absolute_url()),
    ("moderator", lambda w: f"/messages/{w.conversation.pk}/messages/{w.private_message.pk}/signaler/"),
    ("member", lambda w: w.reviewed_event.get_absolute_url()),
    ("staff", lambda w: "/agenda/validation/"),
    ("member", lambda w: "/orientation/"),
    ("member", lambda w: f"/orientation/{w.referral.pk}/"),
    ("member", lambda w: f"/orientation/{w.answered_referral.pk}/"),
    ("place_manager", lambda w: "/orientation/"),
    ("place_manager", lambda w: f"/orientation/{w.referral.pk}/"),
    ("place_manager", lambda w: f"/orientation/{w.answered_referral.pk}/"),
    ("member", lambda w: "/reseau/"),
    ("member", lambda w: f"/reseau/activite/{w.activity.pk}/"),
    ("member", lambda w: "/financements/mes-signalements/"),
]
