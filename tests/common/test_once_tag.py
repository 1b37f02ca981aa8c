"""``{% once %}``: markup rendered once per process, language and named values, never per viewer."""

import pytest
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.defaulttags import IfNode
from django.template.loader_tags import BlockNode
from django.test import override_settings
from django.utils import translation

from common.templatetags import common_tags


class Counted:
    """Equal to any other ``Counted`` (the same key), counting how often the body prints it."""

    renders = 0

    def __eq__(self, other):
        return isinstance(other, Counted)

    def __hash__(self):
        return 1

    def __str__(self):
        Counted.renders += 1
        return "compté"


def test_the_body_sees_its_named_values_only():
    html = Template("{% once x=a %}[{{ x }}|{{ user }}|{{ request }}|{{ a }}]{% endonce %}").render(
        Context({"a": "valeur", "user": "bob", "request": "requête"})
    )
    assert html == "[valeur|||]"


def test_a_kept_form_gets_each_page_s_own_csrf_token():
    template = Template('{% once pk=pk %}<form method="post" action="/{{ pk }}/">{% csrf_token %}<button>Ok</button></form>{% endonce %}')
    first = template.render(Context({"pk": 3, "csrf_token": "jeton1"}))
    second = template.render(Context({"pk": 3, "csrf_token": "jeton2"}))
    assert (
        first
        == '<form method="post" action="/3/"><input type="hidden" name="csrfmiddlewaretoken" value="jeton1"><button>Ok</button></form>'
    )
    assert second == first.replace("jeton1", "jeton2")
    assert len(template.nodelist[0].kept.entries) == 1  # one render for both pages
    # as Django's own tag: nothing for a page without a token, nor for one that says so
    for missing in ({}, {"csrf_token": "NOTPROVIDED"}, {"csrf_token": ""}):
        assert template.render(Context({"pk": 3, **missing})) == '<form method="post" action="/3/"><button>Ok</button></form>'
    django_own = Template('<form method="post" action="/3/">{% csrf_token %}<button>Ok</button></form>')
    for context in ({"csrf_token": "jeton1"}, {}):
        assert template.render(Context({"pk": 3, **context})) == django_own.render(Context(context))


def test_rendered_once_for_the_same_values_then_reused():
    Counted.renders = 0
    template = Template("{% once item=item kind=kind %}<p>{{ item }} {{ kind }}</p>{% endonce %}")
    first = template.render(Context({"item": Counted(), "kind": "a"}))
    again = template.render(Context({"item": Counted(), "kind": "a"}))
    assert first == again == "<p>compté a</p>" and Counted.renders == 1
    other = template.render(Context({"item": Counted(), "kind": "b"}))
    assert other == "<p>compté b</p>" and Counted.renders == 2  # other values: a render of their own


def test_each_block_and_each_language_has_its_own_entry():
    template = Template(
        "{% load i18n %}{% once %}{% get_current_language as lang %}A{{ lang }}{% endonce %}"
        "/{% once %}{% get_current_language as lang %}B{{ lang }}{% endonce %}"
    )
    with translation.override("fr"):
        assert template.render(Context()) == "Afr/Bfr"
    with translation.override("en"):
        assert template.render(Context()) == "Aen/Ben"
    with translation.override("fr"):
        assert template.render(Context()) == "Afr/Bfr"
    assert [len(node.kept.entries) for node in template.nodelist if isinstance(node, common_tags.OnceNode)] == [2, 2]


@override_settings(DEBUG=True)
def test_with_debug_on_the_body_renders_every_time():
    Counted.renders = 0
    template = Template("{% once item=item %}{{ item }}{% endonce %}")
    template.render(Context({"item": Counted()}))
    template.render(Context({"item": Counted()}))
    assert Counted.renders == 2 and template.nodelist[0].kept.entries == {}


def test_the_memo_stays_bounded(monkeypatch):
    monkeypatch.setattr(common_tags, "_ONCE_LIMIT", 3)
    template = Template("{% once n=n %}{{ n }}{% endonce %}")  # the limit is read when the block is parsed
    assert [template.render(Context({"n": n})) for n in range(7)] == [str(n) for n in range(7)]
    kept = template.nodelist[0].kept.entries
    assert len(kept) == 3 and [values[0][1] for _language, values in kept] == [4, 5, 6]  # the oldest dropped first


def test_only_name_value_pairs_are_accepted():
    with pytest.raises(TemplateSyntaxError):
        Template("{% once user %}x{% endonce %}")


def test_a_block_inside_is_refused():
    """A kept render could not follow the child templates that override the block."""
    with pytest.raises(TemplateSyntaxError, match="block"):
        Template("{% once a=a %}<nav>{% block menu %}{% endblock %}</nav>{% endonce %}")


def test_template_walks_do_not_enter_a_kept_body():
    """``{% extends %}`` walks its base's whole tree for blocks on every render: the kept bodies
    (the header, the footer) are left out of that walk, and the child's blocks still fill the base."""
    engine = Engine(
        loaders=[
            (
                "django.template.loaders.locmem.Loader",
                {
                    "base.html": "{% once a=a %}<header>{% if a %}{{ a }}{% endif %}</header>{% endonce %}"
                    "<main>{% block content %}base{% endblock %}</main>",
                    "page.html": "{% extends 'base.html' %}{% block content %}page {{ a }}{% endblock %}",
                },
            )
        ],
        builtins=["common.templatetags.common_tags"],
    )
    html = engine.get_template("page.html").render(Context({"a": "x"}))
    assert html == "<header>x</header><main>page x</main>"
    base = engine.get_template("base.html")
    assert [node.name for node in base.nodelist.get_nodes_by_type(BlockNode)] == ["content"]
    assert base.nodelist.get_nodes_by_type(IfNode) == []  # the header's nodes are not walked


@pytest.mark.django_db
def test_the_header_keeps_each_viewer_s_own_menu(client, client_for, member, staff):
    """The layout's kept parts follow who looks: the staff link and the member's menu never reach
    a visitor or another member, whoever asked first."""
    staff_page = client_for(staff).get("/groupes/").content.decode()
    member_page = client_for(member).get("/groupes/").content.decode()
    visitor_page = client.get("/groupes/").content.decode()
    assert 'href="/cms/"' in staff_page and 'href="/cms/"' not in member_page
    assert "Mon réseau" in member_page and "Se déconnecter" in member_page and member.public_name in member_page
    assert staff.public_name in staff_page and staff.public_name not in member_page
    assert "Mon réseau" not in visitor_page and "Se déconnecter" not in visitor_page and "Se connecter" in visitor_page
    assert 'aria-current="page">Groupes' in visitor_page
    assert 'aria-current="page">Membres' in client_for(member).get("/membres/").content.decode()
