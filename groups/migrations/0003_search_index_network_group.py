"""French full-text GIN indexes (PostgreSQL only) and the network-wide group "Réseau"."""

from django.db import migrations

FTS_INDEXES = [
    ("groups_post_fts_fr", "groups_post", "to_tsvector('french'::regconfig, COALESCE(body, ''))"),
    ("groups_topic_fts_fr", "groups_topic", "to_tsvector('french'::regconfig, COALESCE(title, ''))"),
]


def create_fts_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, expr in FTS_INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expr})")


def drop_fts_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expr in FTS_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create_network_group(apps, schema_editor):
    Group = apps.get_model("groups", "Group")
    Membership = apps.get_model("groups", "Membership")
    Profile = apps.get_model("community", "Profile")
    group = Group.objects.filter(is_network=True).first()
    if group is None:
        slug = "reseau" if not Group.objects.filter(slug="reseau").exists() else "reseau-du-hub"
        group = Group.objects.create(
            name="Réseau",
            slug=slug,
            kind="affinity",
            access="open",
            is_network=True,
            description="Le groupe de tout le réseau : posez vos questions « Allo Réseau ? ».",
        )
    existing = set(Membership.objects.filter(group=group).values_list("user_id", flat=True))
    Membership.objects.bulk_create(
        [
            Membership(group=group, user_id=uid, role="member", status="active")
            for uid in Profile.objects.filter(status="approved").values_list("user_id", flat=True)
            if uid not in existing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("groups", "0002_forum"), ("community", "__first__")]

    operations = [
        migrations.RunPython(create_fts_indexes, drop_fts_indexes),
        migrations.RunPython(create_network_group, migrations.RunPython.noop),
    ]
