"""Groups set up the way members create them: through services."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from groups import services
from groups.models import AccessMode, Membership, MembershipStatus, Role
from tests.factories import UserFactory


def make_group(*, owner=None, access=AccessMode.OPEN, name=None, members=(), moderators=(), admins=()):
    owner = owner or UserFactory()
    group = services.group_create(actor=owner, name=name or f"Groupe {owner.pk}-{access}", access=access, description="Un **groupe**.")
    for role, people in ((Role.MEMBER, members), (Role.MODERATOR, moderators), (Role.ADMIN, admins)):
        for user in people:
            Membership.objects.update_or_create(group=group, user=user, defaults={"role": role, "status": MembershipStatus.ACTIVE})
    return group


def png_upload(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf_upload(name="doc.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")
