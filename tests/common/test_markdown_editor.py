"""The Markdown editor's preview: the same renderer and sanitiser as the pages, for members only."""

import pytest
from django.urls import reverse

from groups.forms import TopicForm

pytestmark = pytest.mark.django_db


def test_preview_renders_and_sanitises_like_the_pages(client_for, member):
    response = client_for(member).post(
        reverse("markdown_preview"), {"text": "**gras** <script>alert(1)</script> [lien](javascript:alert(1))"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<strong>gras</strong>" in html
    assert "<script" not in html and "javascript:" not in html


def test_preview_is_for_logged_in_members_and_post_only(client, client_for, member):
    assert client.post(reverse("markdown_preview"), {"text": "x"}).status_code == 302
    assert client_for(member).get(reverse("markdown_preview")).status_code == 405


def test_forum_text_fields_get_the_editor_and_pages_carry_its_toolbar(client_for, member):
    assert "data-markdown" in str(TopicForm()["body"])
    page = client_for(member).get(reverse("community:dashboard")).content.decode()
    assert 'id="markdown-toolbar"' in page and "js/markdown-editor.js" in page
    assert f'data-preview-url="{reverse("markdown_preview")}"' in page
