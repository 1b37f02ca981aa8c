"""Demo conversations for ``make run``: the demo member has a few private conversations (one
unread), one of them with several people. Idempotent: returns at once when they exist."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from community.demo import MEMBER_EMAIL, STAFF_EMAIL
from community.models import MemberStatus, User

from .models import Conversation, Message, Participant
from .services import conversation_start, message_send

SCRIPTS = [
    (
        "",
        [
            (1, "Bonjour ! J'ai vu que tu animes des ateliers **smartphone** pour les seniors : tu aurais des supports à partager ?"),
            (0, "Avec plaisir. Je t'envoie le déroulé de la séance 1, on s'en sert depuis septembre."),
            (1, "Super, merci ! On pourrait aussi en parler au prochain café réseau."),
        ],
    ),
    (
        "",
        [
            (0, "Salut, tu sais si le CCAS de Dole accueille encore des permanences Aidants Connect ?"),
            (1, "Oui, le mardi matin. Je te mets en lien avec la coordinatrice si tu veux."),
            (1, "Elle m'a répondu : elle peut te recevoir **jeudi à 10 h**."),
        ],
    ),
    (
        "Préparation du café réseau de janvier",
        [
            (2, "Je propose qu'on parte sur le thème *arnaques en ligne* : qui est partant pour animer ?"),
            (1, "Moi, je peux préparer un quiz."),
            (3, "Je m'occupe de la salle à la médiathèque."),
            (2, "Parfait, merci à vous ! Je fais une liste :\n\n- quiz : Camille\n- salle : Hugo"),
        ],
    ),
]


@transaction.atomic
def load_messaging_demo(stdout=None) -> None:
    member = User.objects.filter(email=MEMBER_EMAIL).first()
    if member is None or Participant.objects.filter(user=member).exists():
        return
    others = list(
        User.objects.filter(profile__status=MemberStatus.APPROVED, is_active=True)
        .exclude(email__in=[MEMBER_EMAIL, STAFF_EMAIL])
        .select_related("profile")
        .order_by("pk")[:6]
    )
    if len(others) < 5:
        return
    now = timezone.now()
    for n, (subject, lines) in enumerate(SCRIPTS):
        cast = [member, others[2 * n % len(others)]] if not subject else [others[3], member, others[4], others[1]]
        first_author, first_body = lines[0]
        conversation = conversation_start(
            actor=cast[first_author], recipients=[u for u in cast if u != cast[first_author]], subject=subject, body=first_body
        )
        for author, body in lines[1:]:
            message_send(actor=cast[author], conversation=conversation, body=body)
        # spread the conversation over the past days, newest last
        messages = list(Message.objects.filter(conversation=conversation).order_by("pk"))
        start = now - timedelta(days=3 - n, hours=len(messages))
        for i, message in enumerate(messages):
            Message.objects.filter(pk=message.pk).update(created_at=start + timedelta(minutes=37 * i))
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=start + timedelta(minutes=37 * (len(messages) - 1)))
    if stdout:
        stdout.write("  messaging: 3 demo conversations\n")
