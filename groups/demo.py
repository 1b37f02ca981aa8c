"""Demo groups for ``make run``: about fifteen groups of every kind and access mode, with topics,
Markdown posts, quotes and reactions. Idempotent: returns at once when its groups are there."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from community.demo import MEMBER_EMAIL, STAFF_EMAIL
from community.models import MemberStatus, User

from .models import AccessMode, Category, Group, GroupKind, Membership, MembershipStatus, Role
from .services import network_sync, poll_vote, post_create, reaction_toggle, topic_create

DEMO_GROUPS = [
    ("Aidants Connect en BFC", GroupKind.WORKING, AccessMode.OPEN, "staff", True),
    ("Médiation numérique en milieu rural", GroupKind.AFFINITY, AccessMode.OPEN, "member", True),
    ("Conseillers numériques du Doubs", GroupKind.TERRITORIAL, AccessMode.OPEN, "other", True),
    ("Conseillers numériques de Côte-d'Or", GroupKind.TERRITORIAL, AccessMode.OPEN, "other", False),
    ("Réseau Jura numérique", GroupKind.TERRITORIAL, AccessMode.REQUEST, "other", True),
    ("Coordination Saône-et-Loire", GroupKind.TERRITORIAL, AccessMode.REQUEST, "staff", False),
    ("Parentalité et écrans", GroupKind.AFFINITY, AccessMode.OPEN, "other", True),
    ("Reconditionnement et réemploi", GroupKind.PROJECT, AccessMode.OPEN, "other", False),
    ("Pix et certification", GroupKind.WORKING, AccessMode.REQUEST, "staff", True),
    ("Logiciels libres en médiation", GroupKind.AFFINITY, AccessMode.OPEN, "other", False),
    ("Projet Bus numérique 70", GroupKind.PROJECT, AccessMode.REQUEST, "other", False),
    ("Accessibilité et handicap", GroupKind.WORKING, AccessMode.OPEN, "staff", True),
    ("Comité de pilotage du hub", GroupKind.WORKING, AccessMode.SECRET, "staff", False),
    ("Cellule d'appui aux coordinateurs", GroupKind.PROJECT, AccessMode.SECRET, "member", True),
    ("Formateurs de formateurs", GroupKind.AFFINITY, AccessMode.REQUEST, "other", False),
]

# open groups the demo opens to visitors (read without logging in)
PUBLIC_DEMO_GROUPS = {"Accessibilité et handicap", "Logiciels libres en médiation"}

TOPICS = [
    (
        "Comment accompagnez-vous les démarches CAF ?",
        "Bonjour à toutes et tous,\n\nJe cherche vos **bonnes pratiques** pour accompagner les démarches CAF :\n\n- prise de rendez-vous\n- création de l'espace personnel\n- justificatifs\n\nMerci !",
    ),
    (
        "Partage : fiche pratique FranceConnect",
        "Voici la fiche que nous utilisons en atelier. Elle tient sur **une page** et se plastifie bien.",
    ),
    (
        "Atelier smartphone pour les seniors",
        "Quel déroulé proposez-vous pour un premier atelier *smartphone* ? Combien de participants au maximum ?",
    ),
    (
        "Allo Réseau ? Un logiciel de prise de rendez-vous libre",
        "Quelqu'un connaît un outil **libre** de prise de rendez-vous, simple pour le public ?",
    ),
    ("Retour sur la journée régionale", "Merci aux intervenant·es ! Les supports sont en ligne sur la ressourcerie."),
]
REPLIES = [
    "Chez nous, on commence toujours par vérifier l'adresse e-mail de la personne.",
    "Bonne question ! Nous faisons des ateliers de **6 personnes** au maximum.",
    "Je vous conseille la fiche de l'ANCT, très claire.",
    "+1, et pensez aux personnes allophones : les pictogrammes aident beaucoup.",
    "On a testé plusieurs outils, je vous fais un retour détaillé la semaine prochaine.",
    "Merci pour le partage, je transmets à mon équipe.",
]


def load_groups_demo(stdout=None) -> None:
    if Group.objects.filter(slug="aidants-connect-en-bfc").exists():
        return
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    member = User.objects.filter(email=MEMBER_EMAIL).first()
    if staff is None or member is None:
        return
    rng = random.Random(2026)
    others = list(User.objects.filter(profile__status=MemberStatus.APPROVED).exclude(pk__in=[staff.pk, member.pk]).order_by("pk")[:120])
    with transaction.atomic():
        network_sync()
        network = Group.objects.get(is_network=True)
        for name, kind, access, owner_key, member_in in DEMO_GROUPS:
            owner = {"staff": staff, "member": member}.get(owner_key) or rng.choice(others)
            group = Group.objects.create(
                name=name,
                kind=kind,
                access=access,
                is_public=name in PUBLIC_DEMO_GROUPS,
                created_by=owner,
                description=f"Le groupe **{name}** du réseau : échanges, ressources et entraide.",
            )
            Membership.objects.create(group=group, user=owner, role=Role.OWNER)
            for order, cat in enumerate(["Questions", "Ressources", "Vie du groupe"]):
                Category.objects.create(group=group, name=cat, order=order)
            people = rng.sample(others, 12)
            for i, user in enumerate(people):
                Membership.objects.get_or_create(group=group, user=user, defaults={"role": Role.MODERATOR if i == 0 else Role.MEMBER})
            if member_in and owner != member:
                Membership.objects.get_or_create(group=group, user=member)
            if owner != staff and kind == GroupKind.WORKING and access != AccessMode.SECRET:
                Membership.objects.get_or_create(group=group, user=staff, defaults={"role": Role.ADMIN})
            if access == AccessMode.REQUEST:
                for user in rng.sample(others, 2):
                    Membership.objects.get_or_create(group=group, user=user, defaults={"status": MembershipStatus.REQUESTED})
            _fill_forum(group, rng)
        _fill_forum(network, rng, topics=TOPICS[3:4])
        _demo_poll(network, member, rng)
    if stdout:
        stdout.write(f"  groups: {len(DEMO_GROUPS) + 1} groups with their forums")


def _demo_poll(group: Group, author: User, rng: random.Random) -> None:
    """A topic with a poll in "Réseau", with votes from a few members (the demo member not yet)."""
    topic = topic_create(
        group=group,
        actor=author,
        title="Rencontre régionale : quel format ?",
        body="Pour la rencontre de printemps, dites-nous ce qui vous conviendrait le mieux.",
        poll={
            "question": "Quel format pour la rencontre régionale ?",
            "options": ["Une journée en présentiel à Dijon", "Deux demi-journées en visio", "Un format hybride"],
            "closes_at": timezone.now() + timedelta(days=10),
        },
    )
    options = list(topic.poll.options.all())
    voters = User.objects.filter(group_memberships__group=group).exclude(pk=author.pk).order_by("pk")[:14]
    for voter in voters:
        poll_vote(poll=topic.poll, actor=voter, option_ids=[rng.choice(options).pk])


def _fill_forum(group: Group, rng: random.Random, topics=None) -> None:
    active = list(
        User.objects.filter(group_memberships__group=group, group_memberships__status=MembershipStatus.ACTIVE).select_related("profile")[
            :20
        ]
    )
    if not active:
        return
    categories = list(group.categories.all())
    for title, body in topics or rng.sample(TOPICS, 3):
        topic = topic_create(
            group=group,
            actor=rng.choice(active),
            title=title,
            body=body,
            category=rng.choice(categories) if categories else None,
            tags=rng.sample(["caf", "seniors", "outils", "atelier", "ressources", "libre"], 2),
        )
        previous = topic.posts.first()
        for i in range(rng.randint(2, 6)):
            author = rng.choice(active)
            text = rng.choice(REPLIES)
            quoted = previous if i % 3 == 1 else None
            if i == 2:
                text = f"@{previous.author.public_name} {text}" if previous.author else text
            previous = post_create(topic=topic, actor=author, body=text, quoted=quoted)
            for reactor in rng.sample(active, min(3, len(active))):
                if rng.random() < 0.4:
                    reaction_toggle(post=previous, actor=reactor, kind=rng.choice(["like", "thanks", "idea", "agree"]))
