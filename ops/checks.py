"""System checks of ``ops``: run by ``manage.py check`` (so by every engineer before landing)."""

from django.core.checks import Warning, register

from .translations import ALLOWLIST, template_untranslated_new


@register("translations")
def templates_translated(app_configs, **kwargs):
    """ops.W001: a template shows French text outside ``{% translate %}`` / ``{% blocktranslate %}``."""
    new, _unused = template_untranslated_new()
    return [
        Warning(
            f"templates/{item.template}:{item.line}: text outside gettext: {item.text[:80]!r}",
            hint=f"Wrap it in {{% translate %}} / {{% blocktranslate %}}, or list it in {ALLOWLIST.name} if it must stay.",
            id="ops.W001",
        )
        for item in new
    ]
