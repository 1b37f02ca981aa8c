"""Polls in the forum: creating, voting and changing one's vote, closing with a recorded outcome,
bad input that changes nothing, results after vote or after close, no-JavaScript and htmx flows,
fixed query counts, RGPD export and erasure, live results over the topic socket."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.models import AccessMode, Poll, PollKind, PollResults, PollVote, Topic
from groups.personal_data import erase_groups, export_groups
from tests.factories import UserFactory
from tests.groups.factories import make_group

pytestmark = pytest.mark.django_db

POLL = {"question": "Quel jour pour la réunion ?", "options": "Lundi\nMardi\n\nmardi\nJeudi"}


def _topic(group, owner, **poll):
    return services.topic_create(group=group, actor=owner, title="Réunion de janvier", body="Votez !", poll={**POLL, **poll})


def _options(poll):
    return list(poll.options.order_by("position"))


def test_a_topic_carries_a_poll_with_distinct_options_and_members_vote_then_change_their_vote():
    owner, member = UserFactory(), UserFactory()
    group = make_group(owner=owner, members=[member])
    poll = _topic(group, owner).poll
    assert [o.label for o in _options(poll)] == ["Lundi", "Mardi", "Jeudi"]  # blanks and repeats dropped
    monday, tuesday, thursday = _options(poll)
    services.poll_vote(poll=poll, actor=member, option_ids=[monday.pk])
    services.poll_vote(poll=poll, actor=member, option_ids=[tuesday.pk])  # changed: one vote kept
    assert list(PollVote.objects.filter(poll=poll).values_list("user_id", "option_id")) == [(member.pk, tuesday.pk)]
    with pytest.raises(ValidationError):
        services.poll_vote(poll=poll, actor=member, option_ids=[monday.pk, thursday.pk])  # single choice
    with pytest.raises(ValidationError):
        services.poll_vote(poll=poll, actor=member, option_ids=[999999])
    with pytest.raises(PermissionDenied):
        services.poll_vote(poll=poll, actor=UserFactory(), option_ids=[monday.pk])  # not a member
    assert PollVote.objects.filter(poll=poll).count() == 1


def test_multiple_choice_keeps_every_chosen_option():
    owner = UserFactory()
    poll = _topic(make_group(owner=owner), owner, kind=PollKind.MULTIPLE).poll
    monday, _tuesday, thursday = _options(poll)
    services.poll_vote(poll=poll, actor=owner, option_ids=[monday.pk, thursday.pk])
    assert set(PollVote.objects.filter(poll=poll).values_list("option_id", flat=True)) == {monday.pk, thursday.pk}


@pytest.mark.parametrize(
    ("poll", "field"),
    [
        ({"options": "Lundi"}, "poll_options"),
        ({"options": "Lundi\nlundi "}, "poll_options"),
        ({"question": " "}, "poll_question"),
        ({"closes_at": timezone.now() - datetime.timedelta(hours=1)}, "poll_closes_at"),
    ],
)
def test_a_bad_poll_is_refused_and_creates_nothing(poll, field):
    owner = UserFactory()
    group = make_group(owner=owner)
    with pytest.raises(ValidationError) as exc:
        _topic(group, owner, **poll)
    assert field in exc.value.message_dict
    assert not Topic.objects.filter(group=group).exists() and not Poll.objects.exists()


def test_closing_records_the_outcome_which_outlives_an_erased_voter():
    owner, a, b = UserFactory(), UserFactory(), UserFactory()
    group = make_group(owner=owner, members=[a, b])
    poll = _topic(group, owner).poll
    monday, tuesday, _thursday = _options(poll)
    services.poll_vote(poll=poll, actor=a, option_ids=[monday.pk])
    services.poll_vote(poll=poll, actor=b, option_ids=[monday.pk])
    with pytest.raises(PermissionDenied):
        services.poll_close(poll=poll, actor=a)  # neither author nor moderator
    services.poll_close(poll=poll, actor=owner)
    poll.refresh_from_db()
    assert poll.closed_at and poll.outcome == {
        "counts": {str(monday.pk): 2, str(tuesday.pk): 0, str(_thursday.pk): 0},
        "voters": 2,
        "winners": ["Lundi"],
    }
    with pytest.raises(ValidationError):
        services.poll_vote(poll=poll, actor=a, option_ids=[tuesday.pk])
    erase_groups(a)
    assert PollVote.objects.filter(user=a).count() == 0
    poll.refresh_from_db()
    assert poll.outcome["voters"] == 2  # the recorded outcome stays


def test_polls_past_their_date_are_closed_by_the_periodic_job_once():
    owner = UserFactory()
    poll = _topic(make_group(owner=owner), owner, closes_at=timezone.now() + datetime.timedelta(minutes=5)).poll
    services.poll_vote(poll=poll, actor=owner, option_ids=[_options(poll)[2].pk])
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert services.polls_close_due(now=later) == 1
    assert services.polls_close_due(now=later) == 0
    poll.refresh_from_db()
    assert poll.closed_at == poll.closes_at and poll.outcome["winners"] == ["Jeudi"]


def test_without_javascript_a_member_creates_a_poll_another_votes_and_sees_the_results(client_for):
    owner, member = UserFactory(), UserFactory()
    group = make_group(owner=owner, members=[member])
    response = client_for(owner).post(
        reverse("groups:topic_create", args=[group.slug]),
        {
            "title": "Sondage",
            "body": "b",
            "poll_question": "Quel outil ?",
            "poll_options": "Pad\nVisio",
            "poll_kind": "single",
            "poll_results": "after_vote",
        },
    )
    topic = Topic.objects.get(title="Sondage")
    assert response.status_code == 302
    c = client_for(member)
    page = c.get(topic.get_absolute_url()).text
    assert "Quel outil ?" in page and "votez pour voir les résultats" in page and "0 voix" not in page
    pad = topic.poll.options.get(label="Pad")
    response = c.post(reverse("groups:poll_vote", args=[group.slug, topic.pk]), {"options": str(pad.pk)})
    assert response.status_code == 302 and response["Location"].endswith("#sondage")
    page = c.get(topic.get_absolute_url()).text
    assert "1 voix · 100 %" in page and "Changer mon vote" in page and "votre choix" in page
    assert member.public_name in page  # not anonymous: who chose what is shown


def test_the_form_shows_a_french_error_for_a_poll_with_one_option_and_creates_nothing(client_for):
    owner = UserFactory()
    group = make_group(owner=owner)
    response = client_for(owner).post(
        reverse("groups:topic_create", args=[group.slug]),
        {
            "title": "Sondage",
            "body": "b",
            "poll_question": "Quel outil ?",
            "poll_options": "Pad",
            "poll_kind": "single",
            "poll_results": "after_vote",
        },
    )
    assert response.status_code == 200 and "au moins deux réponses différentes" in response.text
    assert not Topic.objects.filter(title="Sondage").exists()


def test_results_after_close_stay_hidden_until_then_and_anonymous_votes_show_no_names(client_for):
    owner, member = UserFactory(), UserFactory()
    group = make_group(owner=owner, members=[member])
    topic = _topic(group, owner, results=PollResults.AFTER_CLOSE, anonymous=True)
    c = client_for(member)
    url = reverse("groups:poll_vote", args=[group.slug, topic.pk])
    monday = _options(topic.poll)[0]
    response = c.post(url, {"options": str(monday.pk)}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="sondage"' in response.text and "<html" not in response.text  # htmx: the section alone
    assert "résultats à la clôture" in response.text and "1 voix" not in response.text
    services.poll_close(poll=topic.poll, actor=owner)
    page = c.get(topic.get_absolute_url()).text
    assert (
        "Résultat :" in page and "1 voix · 100 %" in page and member.public_name not in page.split('id="sondage"')[1].split("</section>")[0]
    )
    assert "Clore le sondage" not in page and 'name="options"' not in page


def test_a_vote_on_a_closed_poll_gets_a_french_error_and_changes_nothing(client_for):
    owner = UserFactory()
    group = make_group(owner=owner)
    topic = _topic(group, owner)
    services.poll_close(poll=topic.poll, actor=owner)
    response = client_for(owner).post(
        reverse("groups:poll_vote", args=[group.slug, topic.pk]), {"options": str(_options(topic.poll)[0].pk)}
    )
    assert response.status_code == 400 and not PollVote.objects.exists()


def test_outsiders_cannot_vote_in_a_secret_group(client_for):
    owner, outsider = UserFactory(), UserFactory()
    group = make_group(owner=owner, access=AccessMode.SECRET)
    topic = _topic(group, owner)
    response = client_for(outsider).post(
        reverse("groups:poll_vote", args=[group.slug, topic.pk]), {"options": str(_options(topic.poll)[0].pk)}
    )
    assert response.status_code == 404 and not PollVote.objects.exists()


def _topic_page_queries(client, topic) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(topic.get_absolute_url()).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("anonymous", [False, True])
def test_topic_page_with_a_poll_costs_the_same_at_10_and_100_votes(client_for, anonymous):
    owner = UserFactory()
    voters = [UserFactory() for _ in range(100)]
    group = make_group(owner=owner, members=voters)
    small, large = _topic(group, owner, anonymous=anonymous), _topic(group, owner, anonymous=anonymous)
    for topic, n in ((small, 10), (large, 100)):
        options = _options(topic.poll)
        for i, voter in enumerate(voters[:n]):
            services.poll_vote(poll=topic.poll, actor=voter, option_ids=[options[i % 3].pk])
    c = client_for(voters[0])
    _topic_page_queries(c, small), _topic_page_queries(c, large)  # warm the fragment cache
    assert _topic_page_queries(c, small) == _topic_page_queries(c, large)


def test_votes_are_in_the_personal_data_export():
    owner = UserFactory()
    poll = _topic(make_group(owner=owner), owner).poll
    services.poll_vote(poll=poll, actor=owner, option_ids=[_options(poll)[1].pk])
    [vote] = export_groups(owner)["votes"]
    assert vote["sondage"] == "Quel jour pour la réunion ?" and vote["reponse"] == "Mardi"
