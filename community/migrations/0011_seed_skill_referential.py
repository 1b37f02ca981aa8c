"""Seed the skills référentiel and attach the members' free skills that match it.

A référentiel entry takes over an existing skill of the same name (accent- and case-free); a free
skill whose name is one of an entry's aliases is merged into it (members keep it, at the default
level; the free row is deleted). Every other free skill stays as it is, shown "hors référentiel".
"""

from django.db import migrations
from django.utils.text import slugify

from common.text import normalize
from community.referential import REFERENTIAL


def seed(apps, schema_editor):
    Skill = apps.get_model("community", "Skill")
    Category = apps.get_model("community", "SkillCategory")
    ProfileSkill = apps.get_model("community", "ProfileSkill")
    Interests = apps.get_model("community", "Profile").interests.through
    free = {normalize(s.name): s for s in Skill.objects.all()}
    for position, (category_name, entries) in enumerate(REFERENTIAL, start=1):
        category, _ = Category.objects.get_or_create(
            slug=slugify(category_name)[:90], defaults={"name": category_name, "position": position}
        )
        for name, aliases, needs in entries:
            skill = free.pop(normalize(name), None) or Skill(name=name, slug=slugify(name)[:90])
            skill.name, skill.category, skill.in_referential = name, category, True
            skill.aliases, skill.needs, skill.search_text = aliases, needs, normalize(name)[:120]
            skill.save()
            keys = {normalize(a) for a in aliases.split(",") if a.strip()}
            for key in keys:
                old = free.pop(key, None)
                if old is None or old.in_referential:
                    continue
                have = set(ProfileSkill.objects.filter(skill=skill).values_list("profile_id", flat=True))
                ProfileSkill.objects.filter(skill=old).exclude(profile_id__in=have).update(skill=skill)
                have_i = set(Interests.objects.filter(skill=skill).values_list("profile_id", flat=True))
                Interests.objects.filter(skill=old).exclude(profile_id__in=have_i).update(skill=skill)
                old.delete()


class Migration(migrations.Migration):
    dependencies = [("community", "0010_skill_referential")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
