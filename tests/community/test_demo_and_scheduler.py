from datetime import timedelta

import pytest
from django.utils import timezone

from community.demo import MEMBER_EMAIL, STAFF_EMAIL, load_community_demo
from community.models import MemberStatus, Organisation, Profile, User
from ops import scheduler
from ops.models import PeriodicRun

pytestmark = pytest.mark.django_db


def test_demo_network_is_believable_and_loaded_once():
    load_community_demo(members=40)
    staff = User.objects.get(email=STAFF_EMAIL)
    member = User.objects.get(email=MEMBER_EMAIL)
    assert staff.is_staff and staff.groups.filter(name="Équipe du hub").exists()
    assert member.emailaddress_set.get().verified
    approved = Profile.objects.filter(status=MemberStatus.APPROVED)
    assert approved.count() == 40
    assert approved.exclude(display_name="").count() == 40
    assert approved.filter(skills__isnull=False).distinct().count() == 40
    assert Profile.objects.filter(status=MemberStatus.PENDING).count() == 2
    assert Organisation.objects.values("type").distinct().count() >= 5
    assert approved.values("department").distinct().count() >= 4
    load_community_demo(members=40)
    assert User.objects.count() == 42


class _FakeTask:
    def __init__(self):
        self.calls = 0

    def enqueue(self):
        self.calls += 1


def test_periodic_jobs_run_once_per_interval(monkeypatch):
    task = _FakeTask()
    monkeypatch.setattr(scheduler, "JOBS", {})
    scheduler.periodic("test.job", task, timedelta(hours=1))
    now = timezone.now()
    assert scheduler.run_due_jobs(now=now) == ["test.job"]
    assert scheduler.run_due_jobs(now=now + timedelta(minutes=30)) == []
    assert scheduler.run_due_jobs(now=now + timedelta(minutes=61)) == ["test.job"]
    assert task.calls == 2
    assert PeriodicRun.objects.get(key="test.job").last_run_at == now + timedelta(minutes=61)


def test_community_registers_its_periodic_jobs():
    assert {"community.outbox_sweep", "community.digest_daily", "community.digest_weekly"} <= set(scheduler.JOBS)


def test_demo_organisation_names_are_unique_and_natural():
    """No « CCAS de Arbois » beside « CCAS de Arbois (Arbois) »: names are unique (also
    accent- and case-free), elided as French writes them, and never repeat their town."""
    import random

    from common.text import normalize
    from community.demo import organisation_names
    from community.models import Commune

    load_community_demo(members=10)
    names = list(Organisation.objects.values_list("name", flat=True))
    assert len(names) == 60 and len({normalize(n) for n in names}) == 60
    assert "CCAS d'Arbois" in names and "CCAS de Arbois" not in names
    for org in Organisation.objects.select_related("commune"):
        assert org.name.count(org.commune.name) == 1, org.name  # « … (Arbois) » after « d'Arbois » is gone
        assert " de A" not in org.name and " de Le " not in org.name and " de Les " not in org.name
    # a short list of communes forces reuse: names stay unique, moved to the next commune
    few = list(Commune.objects.order_by("name")[:3])
    generated = organisation_names(random.Random(1), few, count=14)
    assert len({name for _kind, name, _commune in generated}) == len(generated) == 14
    assert all(name.count(commune.name) == 1 for _kind, name, commune in generated)
