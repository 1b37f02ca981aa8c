"""Housekeeping only: every user has a profile row; the directory's facets follow the référentiel."""

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Profile, Skill, SkillCategory
from .selectors import DIRECTORY_FACETS_KEY


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="community_profile_for_user")
def ensure_profile(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        Profile.objects.get_or_create(user=instance)


@receiver(post_save, sender=Skill, dispatch_uid="community_facets_skill_saved")
@receiver(post_delete, sender=Skill, dispatch_uid="community_facets_skill_deleted")
@receiver(post_save, sender=SkillCategory, dispatch_uid="community_facets_category_saved")
@receiver(post_delete, sender=SkillCategory, dispatch_uid="community_facets_category_deleted")
def directory_facets_expire(sender, raw=False, **kwargs):
    """A skill or a category saved or deleted: the directory's filter offers the référentiel as it is now."""
    if not raw:
        cache.delete(DIRECTORY_FACETS_KEY)
