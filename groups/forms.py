"""Forms of the groups app: French labels and errors; services do the real validation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import FormOnce, MarkdownTextarea, MultipleFileField

from .models import AccessMode, GroupKind, NotifyLevel, PollKind, PollResults, ReactionKind, Role


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Nom du groupe"), max_length=120)
    description = forms.CharField(
        label=_("Description"), widget=MarkdownTextarea(attrs={"rows": 5}), required=False, help_text=_("Markdown accepté.")
    )
    kind = forms.ChoiceField(label=_("Type"), choices=GroupKind.choices)
    access = forms.ChoiceField(label=_("Accès"), choices=AccessMode.choices, widget=forms.RadioSelect)
    is_public = forms.BooleanField(
        label=_("Lisible par les visiteurs"),
        required=False,
        help_text=_(
            "Groupe ouvert seulement : les personnes non connectées lisent ses sujets et les moteurs de recherche peuvent les indexer. "
            "Écrire, réagir et voter restent réservés aux membres du groupe."
        ),
    )
    avatar = forms.ImageField(label=_("Image (facultatif)"), required=False)
    categories = forms.CharField(
        label=_("Catégories du forum"), required=False, help_text=_("Séparées par des virgules, par exemple : Questions, Ressources.")
    )

    def clean(self):
        data = super().clean()
        if data.get("is_public") and data.get("access") != AccessMode.OPEN:
            self.add_error("is_public", _("Seul un groupe ouvert peut être lisible par les visiteurs."))
        return data


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Titre du sujet"), max_length=200)
    category = forms.ChoiceField(label=_("Catégorie"), required=False)
    tags = forms.CharField(label=_("Étiquettes"), required=False, help_text=_("Séparées par des virgules."))
    body = forms.CharField(
        label=_("Message"), widget=MarkdownTextarea(attrs={"rows": 8}), help_text=_("Markdown accepté. Mentionnez avec @Prénom Nom.")
    )
    attachments = MultipleFileField(label=_("Pièces jointes (images ou PDF)"), required=False)
    # An optional poll (the service checks it: two options at least, a closing date in the future).
    poll_question = forms.CharField(label=_("Question du sondage"), max_length=200, required=False)
    poll_options = forms.CharField(
        label=_("Réponses possibles"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Une réponse par ligne, deux au moins."),
    )
    poll_kind = forms.ChoiceField(
        label=_("Type de sondage"), choices=PollKind.choices, initial=PollKind.SINGLE, widget=forms.RadioSelect, required=False
    )
    poll_results = forms.ChoiceField(
        label=_("Résultats visibles"), choices=PollResults.choices, initial=PollResults.AFTER_VOTE, widget=forms.RadioSelect, required=False
    )
    poll_anonymous = forms.BooleanField(label=_("Votes anonymes (personne ne voit qui a voté quoi)"), required=False)
    poll_closes_at = forms.DateTimeField(
        label=_("Clôture (facultatif)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        help_text=_("Heure de Paris. Sans date, le sondage reste ouvert jusqu'à ce que vous le clôturiez."),
    )

    POLL_FIELDS = ("poll_question", "poll_options", "poll_kind", "poll_results", "poll_anonymous", "poll_closes_at")

    def main_fields(self):
        return [self[name] for name in self.fields if name not in self.POLL_FIELDS]

    def poll_fields(self):
        return [self[name] for name in self.POLL_FIELDS]

    @property
    def wants_poll_open(self) -> bool:
        """Keep the poll fields unfolded when the member filled them (or they carry errors)."""
        return self.is_bound and (any(self[name].errors for name in self.POLL_FIELDS) or bool(self.data.get("poll_question")))

    @property
    def wants_poll(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("poll_question", "").strip() or data.get("poll_options", "").strip())

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        cats = list(group.categories.all()) if group else []
        self.categories = {str(c.pk): c for c in cats}
        self.fields["category"].choices = [("", _("Sans catégorie"))] + [(str(c.pk), c.name) for c in cats]


class PostForm(FormOnce, forms.Form):
    body = forms.CharField(
        label=_("Votre réponse"), widget=MarkdownTextarea(attrs={"rows": 6}), help_text=_("Markdown accepté. Mentionnez avec @Prénom Nom.")
    )
    quoted = forms.IntegerField(required=False, widget=forms.HiddenInput)
    attachments = MultipleFileField(label=_("Pièces jointes (images ou PDF)"), required=False)


class PostEditForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=MarkdownTextarea(attrs={"rows": 8}))


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("Pourquoi signalez-vous ce message ?"), widget=forms.Textarea(attrs={"rows": 4}), min_length=3)


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=ReactionKind.choices)


class LevelForm(FormOnce, forms.Form):
    once_initial = ("level",)  # one of three levels: kept per level

    level = forms.ChoiceField(label=_("Notifications pour ce sujet"), choices=NotifyLevel.choices)


class GroupLevelForm(FormOnce, forms.Form):
    """The member's default level for every topic of a group (same values, group-wide wording)."""

    once_initial = ("level",)

    level = forms.ChoiceField(
        label=_("Notifications par défaut dans ce groupe"),
        choices=[
            (NotifyLevel.WATCHING, _("Suivre tous les sujets")),
            (NotifyLevel.NORMAL, _("Normal : mentions et réponses")),
            (NotifyLevel.MUTED, _("Silencieux")),
        ],
    )


class MoveForm(FormOnce, forms.Form):
    """Moderators' "move to" list: one option per group they see (hundreds on a large hub), kept
    once per list (``once_vary``) instead of going through the option templates on every page."""

    target = forms.ChoiceField(label=_("Déplacer vers"))

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._offered = tuple((g.slug, g.name) for g in targets)
        self.fields["target"].choices = self._offered

    def once_vary(self) -> tuple:
        return self._offered


class RoleForm(forms.Form):
    """One member's role, in the members table (the label names the member for screen readers)."""

    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args, member_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].label = _("Rôle de %(name)s") % {"name": member_name}


class ReportDecisionForm(forms.Form):
    hide = forms.BooleanField(label=_("masquer le message"), required=False)


class GroupFilterForm(forms.Form):
    q = forms.CharField(label=_("Nom ou description"), required=False, max_length=200, widget=forms.TextInput(attrs={"type": "search"}))
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Tous")), *GroupKind.choices])
    mes = forms.BooleanField(label=_("Seulement mes groupes"), required=False)


class InviteForm(forms.Form):
    who = forms.CharField(
        label=_("Inviter un membre (nom affiché ou adresse e-mail)"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Mots"), required=False, max_length=200, widget=forms.TextInput(attrs={"type": "search"}))
    groupe = forms.ChoiceField(label=_("Groupe"), required=False)
    auteur = forms.IntegerField(label=_("Auteur·rice (identifiant)"), required=False, widget=forms.HiddenInput)
    du = forms.DateField(label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groupe"].choices = [("", _("Tous mes groupes visibles")), *((g.slug, g.name) for g in groups)]


class PollVoteForm(forms.Form):
    """A vote: radio buttons for a single-choice poll, checkboxes for a multiple-choice one."""

    def __init__(self, *args, poll=None, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(o.pk), o.label) for o in options]
        if poll is not None and poll.kind == PollKind.MULTIPLE:
            field = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple)
        else:
            field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
        field.label = _("Votre choix")  # the question is the poll's heading
        field.error_messages["required"] = _("Choisissez une réponse.")
        self.fields["options"] = field

    def option_ids(self) -> list[str]:
        value = self.cleaned_data["options"]
        return list(value) if isinstance(value, list) else [value]
