"""Templates stay readable: no line over 160 characters that could be wrapped safely, and the
wrapper only ever turns existing whitespace into a break where HTML reads both the same."""

from pathlib import Path

from django.conf import settings

from ops.templatelines import LIMIT, wrap_text, wrappable_lines

WORDS = " ".join(f"mot{i}" for i in range(60))


def test_no_template_has_a_line_left_to_wrap():
    root = Path(settings.BASE_DIR) / "templates"
    left = [f"{p.relative_to(root)}:{n}" for p in sorted(root.rglob("*.html")) for n in wrappable_lines(p)]
    assert not left, "run manage.py wrap_templates:\n" + "\n".join(left)


def test_text_is_wrapped_at_its_spaces_and_wrapping_twice_changes_nothing():
    text = f'  <p class="lead">{WORDS} {{% translate "Un texte à ne pas couper" %}} {WORDS}</p>'
    wrapped, still_long = wrap_text(text)
    lines = wrapped.split("\n")
    assert len(lines) > 2 and all(len(line) <= LIMIT for line in lines) and not still_long
    assert all(line.startswith("    ") for line in lines[1:])  # continuation lines indented under the first
    assert '{% translate "Un texte à ne pas couper" %}' in wrapped
    assert wrap_text(wrapped)[0] == wrapped


def test_quoted_values_raw_elements_and_message_ids_are_never_broken():
    long_value = " ".join(["valeur"] * 40)
    for text in (
        f'<a title="{long_value}" href="/x/">lien</a>',
        f"<pre>{WORDS} {WORDS}</pre>",
        f"<textarea>{WORDS}</textarea>",
        f"{{% blocktranslate %}}{WORDS} {WORDS}{{% endblocktranslate %}}",
    ):
        wrapped, _still = wrap_text(text)
        assert long_value in wrapped or text == wrapped
    multi_line_tag = f'<div class="carte"\n     data-nom="{long_value}" hidden></div>'
    wrapped, _ = wrap_text(multi_line_tag)
    assert long_value in wrapped  # a tag that spans lines keeps its quoted values whole


def test_a_line_without_a_safe_space_is_left_alone_and_reported():
    text = "{% if a %}" + "".join(f"<b>{i}</b>" for i in range(40)) + "{% endif %}"
    wrapped, still_long = wrap_text(text)
    assert wrapped == text and still_long == [1]
