"""One small network with a person in every role and an object behind every URL.

Built through the services, the way people create things. Shared by the authorisation matrix and
the XSS render test. ``World`` holds the people (``roles``) and the objects the URL table needs.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

ROLES = ["anonymous", "pending", "member", "outsider", "moderator", "group_admin", "place_manager", "reviewer", "staff"]


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objs: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.objs[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    from actions.origins import origin_resolve
    from actions.services import action_comment, action_create
    from community.activity import activity_comment_create, activity_record
    from community.models import Invitation
    from community.notifications import notification_send
    from community.services import invitation_create, organisation_create
    from content import services as content_services
    from events import services as event_services
    from events.datepolls import services as datepoll_services
    from events.models import Audience, EventType
    from funding import services as funding_services
    from funding.filters import CallFilters
    from funding.models import Source
    from groups import services as group_services
    from groups.models import AccessMode, Report
    from labels import services as label_services
    from labels.models import ApplicationState, Assertion, BadgeClass, Criterion, Label
    from orientation.services import referral_create
    from tests.content.factories import published_resource
    from tests.events.factories import make_event
    from tests.factories import OrganisationFactory, StaffFactory, UserFactory
    from tests.funding.factories import make_call
    from tests.groups.factories import make_group, png_upload
    from tests.labels.factories import answer_all, make_application, make_referential
    from tests.places.factories import make_place

    w = World()
    u = w.users
    u["anonymous"] = None
    u["pending"] = UserFactory(profile_data={"status": "pending"})
    u["member"] = UserFactory()
    u["outsider"] = UserFactory()
    u["moderator"] = UserFactory()
    u["group_admin"] = UserFactory()
    u["place_manager"] = UserFactory()
    u["reviewer"] = UserFactory()
    u["staff"] = StaffFactory()
    owner = UserFactory()
    o = w.objs
    o["owner"] = owner

    # groups: an open one and a secret one with the same cast
    cast = {"members": [u["member"]], "moderators": [u["moderator"]], "admins": [u["group_admin"]]}
    o["open_group"] = make_group(owner=owner, access=AccessMode.OPEN, name="Groupe ouvert sécurité", **cast)
    o["secret_group"] = make_group(owner=owner, access=AccessMode.SECRET, name="Groupe secret sécurité", **cast)
    for key in ("open", "secret"):
        group = o[f"{key}_group"]
        topic = group_services.topic_create(
            group=group,
            actor=u["member"],
            title=f"Sujet {key} cerise",
            body="Premier message cerise",
            attachments=[png_upload(f"{key}.png")],
            poll={"question": "Quel jour ?", "options": ["Lundi", "Mardi"]},
        )
        reply = group_services.post_create(topic=topic, actor=u["member"], body=f"Réponse {key} cerise")
        group_services.post_report(post=reply, actor=u["moderator"], reason="Hors sujet")
        o[f"{key}_topic"], o[f"{key}_post"] = topic, reply
        o[f"{key}_attachment"] = topic.posts.order_by("pk").first().attachments.get()
    o["report"] = Report.objects.filter(post=o["open_post"]).first()
    # a public group (visitors read it) and an on-request one, for the visitors' rows
    o["public_group"] = make_group(owner=owner, access=AccessMode.OPEN, name="Groupe public sécurité", members=[u["member"]])
    type(o["public_group"]).objects.filter(pk=o["public_group"].pk).update(is_public=True)
    o["public_group"].refresh_from_db()
    o["public_topic"] = group_services.topic_create(
        group=o["public_group"], actor=u["member"], title="Sujet public cerise", body="Message public cerise"
    )
    o["public_post"] = group_services.post_create(topic=o["public_topic"], actor=u["member"], body="Réponse publique cerise")
    o["request_group"] = make_group(owner=owner, access=AccessMode.REQUEST, name="Groupe sur demande sécurité", members=[u["member"]])
    o["request_topic"] = group_services.topic_create(group=o["request_group"], actor=u["member"], title="Sujet sur demande", body="b")

    # follow-up actions: one in the secret group, owned by "member"
    o["action"] = action_create(
        actor=u["group_admin"],
        origin=origin_resolve(viewer=u["group_admin"], kind="groups.group", origin_id=o["secret_group"].pk),
        description="Action secrète cerise",
        owners=[u["member"]],
        due_date=timezone.localdate() + timedelta(days=5),
    )
    action_comment(actor=u["member"], action=o["action"], body="Un commentaire cerise")

    # date polls: the secret group's, by its admin, with a guest invited by e-mail who answered
    start = timezone.now().replace(microsecond=0) + timedelta(days=9)
    o["datepoll"] = datepoll_services.datepoll_create(
        actor=u["group_admin"],
        title="Sondage cerise",
        slots=[(start, start + timedelta(hours=2)), (start + timedelta(days=1), start + timedelta(days=1, hours=2))],
        invitees_kind="group",
        group=o["secret_group"],
        guest_emails=["invite-sondage@exemple.fr"],
    )
    o["datepoll_guest"] = o["datepoll"].guests.get()
    both_yes = {s.pk: "yes" for s in o["datepoll"].slots.all()}
    datepoll_services.datepoll_answer(guest=o["datepoll_guest"], poll=o["datepoll"], choices=both_yes, name="Camille cerise")
    datepoll_services.datepoll_answer(actor=u["member"], poll=o["datepoll"], choices=both_yes)

    # community
    o["organisation"] = organisation_create(actor=u["staff"], name="Centre social de sécurité", type="centre_social")
    o["invitation"] = invitation_create(actor=u["staff"], email="invitee@exemple.fr")
    assert isinstance(o["invitation"], Invitation)
    notification_send(recipient=u["member"], kind="community.test", verb="Une notification", url="/tableau-de-bord/")
    o["notification"] = u["member"].notifications.order_by("-pk").first()
    o["activity"] = activity_record(
        verb="a écrit", title="Pour le membre seul", url="/", audience=f"user:{u['member'].pk}", actor=u["member"]
    )
    o["activity_comment"] = activity_comment_create(actor=u["member"], pk=o["activity"].pk, body="Commentaire cerise")

    # private messages: "member" and "moderator" only; a reported message for the staff queue
    from messaging import services as messaging_services

    o["conversation"] = messaging_services.conversation_start(actor=u["member"], recipients=[u["moderator"]], body="Message privé cerise")
    o["private_message"] = messaging_services.message_send(
        actor=u["member"], conversation=o["conversation"], body="Pièce jointe cerise", attachments=[png_upload("prive.png")]
    )
    o["message_attachment"] = o["private_message"].attachments.get()
    o["message_report"] = messaging_services.message_report(actor=u["moderator"], message=o["private_message"], reason="Signalé")

    # events: a members' event with a sign-up form, an intelligence session with proposals
    staff = u["staff"]
    event = make_event(by=staff, capacity=10, audience=Audience.MEMBERS)
    o["question"] = event_services.question_save(actor=staff, event=event, label="Votre structure ?", kind="short", required=False)
    o["registration"] = event_services.registration_create(event=event, actor=u["member"], answers={})
    o["event"] = event
    session = make_event(
        by=staff,
        capacity=10,
        audience=Audience.MEMBERS,
        type=EventType.INTELLIGENCE,
        accepts_proposals=True,
        start=timezone.now() - timedelta(minutes=30),
        days=0,
    )
    event_services.registration_add(actor=staff, event=session, member=u["member"], answers={})
    o["proposal"] = event_services.proposal_create(event=session, actor=u["member"], title="Une idée", pitch="Un pitch")
    o["breakout"] = event_services.breakout_create(event=session, actor=staff, title="Sous-groupe A", host=u["member"])
    o["session"] = session
    # "member" excuses themself, with a message (the organisers' attendance list shows it)
    event_services.registration_intention_set(
        actor=u["member"], registration=o["registration"], intention="excused", message="Excuse cerise"
    )
    # a member's event sent back by staff with a reason (its proposer reads it on the event page),
    # and one waiting in the staff approval queue
    o["reviewed_event"] = make_event(by=u["member"], title="Proposition cerise")
    event_services.event_review(actor=staff, event=o["reviewed_event"], decision="changes", reason="Ajoutez l'adresse cerise")
    o["pending_event"] = make_event(by=u["member"], title="Proposition en attente cerise")
    o["group_event"] = make_event(by=staff, audience=Audience.GROUP, audience_group=o["secret_group"], organiser_group=o["secret_group"])
    o["calendar_token"] = event_services.calendar_token_rotate(actor=u["member"])
    # minutes of the secret group's event: its admin writes, "member" is the secretary, the round is
    # open, "moderator" (a member of the group, so a participant) proposed a text and commented
    from events.minutes import services as minutes_services

    minutes = minutes_services.minutes_save(
        actor=u["group_admin"], event=o["group_event"], body="## Décisions\n\nCerise\n", secretary=u["member"], set_secretary=True
    )
    minutes = minutes_services.minutes_round_open(actor=u["member"], minutes=minutes, deadline=timezone.now() + timedelta(days=3))
    minutes_services.amendment_create(actor=u["moderator"], minutes=minutes, kind="replace", section="Décisions", body="Cerise amendée")
    comment = minutes_services.amendment_create(actor=u["moderator"], minutes=minutes, kind="comment", body="Un avis cerise")
    minutes_services.amendment_decide(actor=u["member"], amendment=comment, accept=False, response="Merci cerise")
    o["minutes"] = minutes

    # places and the label
    o["referential"] = make_referential()
    place = make_place(u["place_manager"])
    o["place"] = place
    o["hidden_place"] = _unpublished_place(u["member"])
    app = make_application(manager=u["place_manager"], state=ApplicationState.DRAFT, place=place)
    criterion = Criterion.objects.filter(axis__referential=app.referential_id).order_by("pk").first()
    o["evidence"] = label_services.evidence_add(
        actor=u["place_manager"],
        application=app,
        criterion=criterion,
        upload=SimpleUploadedFile("charte.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    answer_all(app, u["place_manager"])
    label_services.application_submit(actor=u["place_manager"], application=app)
    label_services.application_assign_reviewers(actor=staff, application=app, reviewers=[u["reviewer"]])
    label_services.review_declare(actor=u["reviewer"], review=app.reviews.get(reviewer=u["reviewer"]), no_conflict=True)
    o["application"] = app
    granted = make_application(
        manager=u["place_manager"],
        state=ApplicationState.GRANTED,
        staff=staff,
        reviewer=u["reviewer"],
        place=make_place(u["place_manager"]),
    )
    o["label"] = Label.objects.get(application=granted)
    o["label_assertion"] = Assertion.objects.get(label=o["label"])
    o["referral"] = referral_create(
        actor=u["member"],
        place=place,
        data={"need": "Aide aux démarches administratives", "consent": True, "person_name": "Mme Test", "person_contact": "0600000000"},
    )
    # a second referral, answered by the place (its note to the sender); the first stays open for the matrix
    o["answered_referral"] = referral_create(
        actor=u["member"],
        place=place,
        data={
            "need": "Aide aux démarches administratives",
            "consent": True,
            "person_name": "M. Cerise",
            "person_contact": "0611111111",
            "note": "À savoir cerise",
        },
    )
    from orientation.services import referral_answer

    referral_answer(actor=u["place_manager"], referral=o["answered_referral"], action="accept", note="Nous l'appelons cerise")
    badge = BadgeClass.objects.create(
        slug="mediation-securite", kind=BadgeClass.Kind.COMPETENCE, name="Médiation", description="d", criteria="c"
    )
    o["badge"] = badge
    o["assertion"] = label_services.competence_badge_issue(actor=staff, badge_class=badge, recipient=u["member"])

    # content
    o["resource"] = published_resource(u["member"], staff, title="Guide sécurité")
    o["resource_report"] = content_services.resource_report(actor=u["outsider"], resource=o["resource"], reason="Lien mort")
    o["collection"] = content_services.collection_create(actor=u["member"], title="Ma collection sécurité", is_public=False)
    content_services.collection_add(actor=u["member"], collection=o["collection"], resource=o["resource"])

    # funding
    o["call"] = make_call(actor=staff)
    o["source"] = Source.objects.create(name="Source sécurité", kind="manual")
    o["watch"] = funding_services.watch_create(
        actor=u["member"], name="Mon alerte", filters=CallFilters(q="numérique"), frequency="instant"
    )
    o["partner_search"] = funding_services.partner_search_create(call=o["call"], actor=u["member"], message="Nous cherchons")
    o["funding_token"] = funding_services.calendar_token_get(actor=u["member"])
    # a private consortium led by the owner, with "member" in it: a 404 for everyone else
    owner.profile.organisation = OrganisationFactory()
    owner.profile.save()
    o["consortium"] = funding_services.consortium_create(call=o["call"], actor=owner, name="Consortium sécurité", visibility="private")
    invited = funding_services.consortium_invite(consortium=o["consortium"], actor=owner, user=u["member"], role="Partenaire")
    o["consortium_member"] = funding_services.consortium_invitation_answer(member=invited, actor=u["member"], accept=True)
    # the application moves on with a note in its history; a file shared in the consortium
    funding_services.application_update(consortium=o["consortium"], actor=owner, status="submitted", note="Dossier déposé cerise")
    funding_services.consortium_file_add(consortium=o["consortium"], actor=u["member"], upload=png_upload("budget.png"))
    # a call reported by "member", declined by staff with a reason
    o["reported_call"] = funding_services.call_report(
        actor=u["member"],
        data={
            "title": "Appel signalé cerise",
            "funders": "Fondation cerise",
            "official_url": "https://fondation-cerise.exemple/appel",
            "deadline": timezone.localdate() + timedelta(days=40),
            "scope": "national",
            "description": "",
        },
    )
    funding_services.call_reject(call=o["reported_call"], actor=staff, reason="Hors périmètre cerise")
    o["support_request"] = funding_services.support_request_create(
        call=o["call"], consortium=o["consortium"], actor=u["member"], kind="review", message="Relisez-nous, merci"
    )

    # sharing: "place_manager" belongs to the lending structure; "member" asked for its item
    from sharing.services import booking_create
    from tests.sharing.factories import at, make_item

    lending = OrganisationFactory(name="Structure prêteuse sécurité")
    u["place_manager"].profile.organisation = lending
    u["place_manager"].profile.save()
    o["shared_item"] = make_item(lending, name="Valise cerise", description="Conditions cerise", location="Accueil cerise")
    o["booking"] = booking_create(actor=u["member"], item=o["shared_item"], start=at(3), end=at(3, 12), message="Message cerise")
    from sharing.models import ItemPhoto

    # a row is enough: its alt text is rendered, its files are never opened
    o["item_photo"] = ItemPhoto.objects.create(
        item=o["shared_item"], image="partage/cerise.jpg", thumb="partage/cerise-v.jpg", alt="Photo cerise", position=0
    )
    return w


def _unpublished_place(creator):
    from places.services import place_create
    from tests.places.factories import place_data

    return place_create(actor=creator, data=place_data(), publish=False)
