"""The skills référentiel: categories, référentiel entries, and a level per member's skill.

The member-skill table of the former plain many-to-many becomes the ``ProfileSkill`` model in
place (same table, same columns: a state-only change), then gains its ``level`` column.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0009_photos_and_logos"),
    ]

    operations = [
        migrations.CreateModel(
            name="SkillCategory",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=80, unique=True, verbose_name="nom")),
                ("slug", models.SlugField(max_length=90, unique=True)),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
            ],
            options={
                "verbose_name": "catégorie de compétences",
                "verbose_name_plural": "catégories de compétences",
                "ordering": ["position", "name"],
            },
        ),
        migrations.AddField(
            model_name="skill",
            name="aliases",
            field=models.CharField(
                blank=True,
                default="",
                help_text="Séparés par des virgules : une compétence saisie librement sous l'un de ces noms est rattachée à celle-ci.",
                max_length=500,
                verbose_name="autres intitulés",
            ),
        ),
        migrations.AddField(
            model_name="skill",
            name="description",
            field=models.CharField(blank=True, default="", max_length=300, verbose_name="description"),
        ),
        migrations.AddField(
            model_name="skill",
            name="in_referential",
            field=models.BooleanField(db_index=True, default=False, verbose_name="dans le référentiel"),
        ),
        migrations.AddField(
            model_name="skill",
            name="needs",
            field=models.CharField(
                blank=True,
                default="",
                help_text="Services du schéma national séparés par « | » : les orientations vers ces services comptent comme demande.",
                max_length=500,
                verbose_name="besoins d'orientation correspondants",
            ),
        ),
        migrations.AddField(
            model_name="skill",
            name="category",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="skills",
                to="community.skillcategory",
                verbose_name="catégorie",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ProfileSkill",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "profile",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="skill_levels", to="community.profile"
                            ),
                        ),
                        (
                            "skill",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="profile_levels", to="community.skill"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "compétence d'un membre",
                        "db_table": "community_profile_skills",
                        "unique_together": {("profile", "skill")},
                    },
                ),
                migrations.AlterField(
                    model_name="profile",
                    name="skills",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="skilled_profiles",
                        through="community.ProfileSkill",
                        to="community.skill",
                        verbose_name="compétences",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="profileskill",
            name="level",
            field=models.CharField(
                choices=[("beginner", "Débutant"), ("confirmed", "Confirmé"), ("expert", "Expert")],
                default="confirmed",
                max_length=10,
                verbose_name="niveau",
            ),
        ),
    ]
