"""Watches (saved searches): a member saves a search with a frequency; e-mail frequencies wait for
a click on a confirmation link (double opt-in); every e-mail carries a one-click unsubscribe link.
"""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.urls import absolute_url
from community.models import is_approved_member
from community.outbox import email_enqueue

from ..filters import CallFilters
from ..models import EMAIL_FREQUENCIES, Watch, WatchFrequency

CONFIRM_SALT = "funding.watch.confirm"
UNSUBSCRIBE_SALT = "funding.watch.unsubscribe"
CONFIRM_MAX_AGE = 14 * 24 * 3600
NAME_MAX = 120


def watch_token(watch: Watch, salt: str) -> str:
    """A signed token naming the watch, for the confirmation and unsubscribe links."""
    return signing.dumps({"w": watch.pk}, salt=salt, compress=True)


def watch_confirm_url(watch: Watch) -> str:
    """The absolute opt-in link e-mailed to the owner."""
    return absolute_url(reverse("funding:watch_confirm", args=[watch_token(watch, CONFIRM_SALT)]))


def watch_unsubscribe_url(watch: Watch) -> str:
    """The absolute one-click unsubscribe link of every alert e-mail."""
    return absolute_url(reverse("funding:watch_unsubscribe", args=[watch_token(watch, UNSUBSCRIBE_SALT)]))


def _send_confirmation(watch: Watch) -> None:
    email_enqueue(
        to_email=watch.user.email,
        recipient=watch.user,
        subject=_("Confirmez votre alerte « %(name)s »") % {"name": watch.name},
        template="emails/funding/watch_confirm",
        context={"watch": watch, "confirm_url": watch_confirm_url(watch), "user": watch.user},
        kind="funding.confirm",
        dedupe_key=f"funding:confirm:{watch.pk}:{timezone.now().date().isoformat()}:{watch.frequency}",
    )


def _check_frequency(frequency: str) -> None:
    if frequency not in WatchFrequency.values:
        raise ValidationError({"frequency": _("Fréquence inconnue.")})


def watch_create(*, actor, name: str, filters: CallFilters, frequency: str) -> Watch:
    """Save a search. E-mail frequencies wait for a click on the confirmation link (double opt-in)."""
    if not is_approved_member(actor):
        raise PermissionDenied
    _check_frequency(frequency)
    name = (name or "").strip()[:NAME_MAX]
    if not name:
        raise ValidationError({"name": _("Donnez un nom à cette alerte.")})
    with transaction.atomic():
        watch = Watch.objects.create(user=actor, name=name, criteria=filters.to_criteria(), frequency=frequency, cursor=timezone.now())
        if frequency in EMAIL_FREQUENCIES:
            _send_confirmation(watch)
    return watch


def watch_update(*, watch: Watch, actor, name: str, frequency: str) -> Watch:
    """The owner renames a watch or changes its frequency; a switch to e-mail asks for (or
    reuses) the opt-in and starts from now, never sending old calls."""
    if watch.user_id != actor.pk:
        raise PermissionDenied
    _check_frequency(frequency)
    with transaction.atomic():
        watch.name = (name or watch.name).strip()[:NAME_MAX]
        was_email = watch.email_active
        watch.frequency = frequency
        if frequency in EMAIL_FREQUENCIES:
            watch.unsubscribed_at = None
            if watch.email_confirmed_at is None:
                _send_confirmation(watch)
            elif not was_email:
                watch.cursor = timezone.now()
        watch.save()
    return watch


def watch_delete(*, watch: Watch, actor) -> None:
    """Only the owner deletes a watch."""
    if watch.user_id != actor.pk:
        raise PermissionDenied
    watch.delete()


def watch_get_by_token(*, token: str, salt: str, max_age: int | None = None) -> Watch:
    """The watch a signed link names; a clear French ``ValidationError`` when the link is bad,
    expired or its watch deleted."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature as exc:
        raise ValidationError(_("Ce lien n'est pas valide ou a expiré.")) from exc
    watch = Watch.objects.select_related("user").filter(pk=data.get("w")).first()
    if watch is None:
        raise ValidationError(_("Cette alerte n'existe plus."))
    return watch


def watch_confirm_email(*, token: str) -> Watch:
    """Double opt-in: the click on the e-mailed link starts e-mail alerts, from now on."""
    watch = watch_get_by_token(token=token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    now = timezone.now()
    if Watch.objects.filter(pk=watch.pk, email_confirmed_at__isnull=True).update(email_confirmed_at=now, unsubscribed_at=None, cursor=now):
        watch.refresh_from_db()
    return watch


def watch_unsubscribe(*, token: str) -> Watch:
    """One-click removal of e-mail alerts (no login): the search stays saved, without e-mails."""
    watch = watch_get_by_token(token=token, salt=UNSUBSCRIBE_SALT)
    Watch.objects.filter(pk=watch.pk, unsubscribed_at__isnull=True).update(unsubscribed_at=timezone.now(), frequency=WatchFrequency.NONE)
    watch.refresh_from_db()
    return watch
