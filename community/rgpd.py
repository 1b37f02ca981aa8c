"""Account-wide RGPD services: the JSON archive and account erasure across every app."""

import json
import uuid

from django.contrib.auth.hashers import make_password
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from common.registry import registry

from .models import User


def personal_data_export(*, user: User) -> str:
    """Everything stored about ``user`` by every app, as one JSON document."""
    data = {"export_du": timezone.now().isoformat(), "format": "maillage-donnees-personnelles/1"}
    for key, exporter in sorted(registry.data_exporters.items()):
        data[key] = exporter(user)
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def account_erase(*, user: User) -> None:
    """Erase the account: personal data goes, authored content stays signed "ancien membre".

    Each app's eraser runs in one transaction: if any fails, nothing is erased.
    """
    with transaction.atomic():
        for _key, eraser in sorted(registry.account_erasers.items()):
            eraser(user)
        anonymous = f"ancien-membre-{uuid.uuid4().hex[:12]}"
        User.objects.filter(pk=user.pk).update(
            username=anonymous,
            email=f"{anonymous}@invalid.invalid",
            first_name="",
            last_name="",
            password=make_password(None),
            is_active=False,
            is_staff=False,
            is_superuser=False,
            erased_at=timezone.now(),
        )
        user.groups.clear()
