"""RGPD: what the groups app stores about a member, and how it is erased.

Posts stay (the conversation must keep its meaning) and are signed "ancien membre" through
``user.public_name``; memberships, invitations, read markers, subscriptions, reactions and poll
votes go (closed polls keep their recorded outcome).
"""

from .models import (
    GroupInvitation,
    Membership,
    PollVote,
    Post,
    PostRevision,
    Reaction,
    Report,
    Topic,
    TopicRead,
    TopicSubscription,
)


def export_groups(user) -> dict:
    return {
        "adhesions": [
            {"groupe": m["group__name"], "role": m["role"], "statut": m["status"], "depuis": m["created_at"].isoformat()}
            for m in Membership.objects.filter(user=user).values("group__name", "role", "status", "created_at")
        ],
        "sujets": [
            {"groupe": t["group__name"], "titre": t["title"], "date": t["created_at"].isoformat()}
            for t in Topic.objects.filter(author=user).values("group__name", "title", "created_at")
        ],
        "messages": [
            {
                "groupe": p["topic__group__name"],
                "sujet": p["topic__title"],
                "date": p["created_at"].isoformat(),
                "texte": p["body"],
                "supprime": p["is_deleted"],
            }
            for p in Post.objects.filter(author=user)
            .values("topic__group__name", "topic__title", "created_at", "body", "is_deleted")
            .order_by("id")
        ],
        "reactions": [
            {"message": r["post_id"], "reaction": r["kind"], "date": r["created_at"].isoformat()}
            for r in Reaction.objects.filter(user=user).values("post_id", "kind", "created_at")
        ],
        "signalements": [
            {"message": r["post_id"], "raison": r["reason"], "date": r["created_at"].isoformat()}
            for r in Report.objects.filter(reporter=user).values("post_id", "reason", "created_at")
        ],
        "suivis": list(TopicSubscription.objects.filter(user=user).values("topic_id", "level")),
        "votes": [
            {
                "sujet": v["poll__topic__title"],
                "sondage": v["poll__question"],
                "reponse": v["option__label"],
                "date": v["created_at"].isoformat(),
            }
            for v in PollVote.objects.filter(user=user)
            .values("poll__topic__title", "poll__question", "option__label", "created_at")
            .order_by("id")
        ],
    }


def erase_groups(user) -> None:
    Membership.objects.filter(user=user).delete()
    GroupInvitation.objects.filter(email__iexact=user.email).delete()
    TopicRead.objects.filter(user=user).delete()
    TopicSubscription.objects.filter(user=user).delete()
    Reaction.objects.filter(user=user).delete()
    # Votes go; a closed poll keeps its recorded outcome, an open one counts without them.
    PollVote.objects.filter(user=user).delete()
    PostRevision.objects.filter(post__author=user).delete()  # earlier versions of their words go too
