"""Field validators for places, with French messages. Shared by the model, forms and the CSV import."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from community.validators import luhn_ok, validate_siret

from . import opening_hours
from .phones import is_schema_number, phone_parse
from .schema import VOCABULARIES, split_values

RNA_RE = re.compile(r"^W\d{9}$")
POSTCODE_RE = re.compile(r"^\d{5}$")
INSEE_RE = re.compile(r"^([013-9]\d|2[AB1-9])\d{3}$")


def validate_pivot(value: str) -> None:
    """The pivot identifies the structure: a SIRET (14 digits, Luhn), a SIREN (9 digits, Luhn) or an
    RNA number (``W`` + 9 digits). ``00000000000000`` is the national convention for "unknown"."""
    if not value:
        raise ValidationError(_("Le pivot (SIRET ou RNA) est obligatoire."), code="required")
    if RNA_RE.match(value):
        return
    if value.isdigit() and len(value) == 14:
        validate_siret(value)
        return
    if value.isdigit() and len(value) == 9:
        if not luhn_ok(value):
            raise ValidationError(_("Ce SIREN n'est pas valide (clé de contrôle)."), code="siren_checksum")
        return
    raise ValidationError(
        _("Le pivot doit être un SIRET (14 chiffres), un SIREN (9 chiffres) ou un numéro RNA (W suivi de 9 chiffres)."), code="pivot"
    )


def validate_postcode(value: str) -> None:
    if value and not POSTCODE_RE.match(value):
        raise ValidationError(_("Le code postal compte 5 chiffres."), code="postcode")


def validate_insee(value: str) -> None:
    if value and not INSEE_RE.match(value):
        raise ValidationError(_("Le code INSEE compte 5 caractères (2A ou 2B pour la Corse)."), code="insee")


def department_of_postcode(postcode: str) -> set[str]:
    """Departments a postcode may belong to (Corsica 20xxx → 2A/2B, overseas 97x/98x → 3 digits)."""
    if postcode.startswith("20"):
        return {"2A", "2B"}
    if postcode[:2] in ("97", "98"):
        return {postcode[:3]}
    return {postcode[:2]}


def department_of_insee(insee: str) -> str:
    if insee[:2] in ("97", "98"):
        return insee[:3]
    return insee[:2]


def check_postcode_insee(postcode: str, insee: str) -> str | None:
    """A French message if the postcode and INSEE code cannot belong together, else None.

    They agree on the department: same two first digits, except Corsica (postcodes 20xxx for INSEE
    2Axxx / 2Bxxx) and overseas (three digits, 971–989). A few communes near a border are served by a
    neighbouring department's post office (e.g. 05110 for some Alpes-de-Haute-Provence communes): we
    accept the neighbouring pairs listed in ``CROSS_BORDER``.
    """
    if not postcode or not insee or not POSTCODE_RE.match(postcode) or not INSEE_RE.match(insee):
        return None
    insee_dep = department_of_insee(insee)
    post_deps = department_of_postcode(postcode)
    if insee_dep in post_deps or (postcode[:2], insee_dep) in CROSS_BORDER:
        return None
    return _("Le code INSEE %(insee)s (département %(department)s) ne correspond pas au code postal %(postcode)s.") % {
        "insee": insee,
        "department": insee_dep,
        "postcode": postcode,
    }


# (postcode prefix, INSEE department) pairs where La Poste crosses a department border.
CROSS_BORDER = {("05", "04"), ("04", "05"), ("01", "39"), ("39", "01"), ("21", "71"), ("71", "21"), ("58", "89"), ("89", "58")}


def validate_phone(value: str) -> None:
    """The stored form: a valid French number (metropolitan or overseas) in international form
    without spaces, as the schema's pattern wants it (``+33380123456``, ``+262262123456``)."""
    if not value:
        return
    number = phone_parse(value)
    if number is None or not value.startswith("+") or not value[1:].isdigit():
        raise ValidationError(
            _("Numéro de téléphone non reconnu : écrivez-le par exemple 03 80 12 34 56, ou +262 262 12 34 56 outre-mer."),
            code="phone",
        )
    if not is_schema_number(number):
        raise ValidationError(
            _("Le schéma national n'accepte que les numéros français, de métropole ou d'outre-mer."), code="phone_country"
        )


def validate_emails(value: str) -> None:
    check = EmailValidator()
    for email in split_values(value):
        try:
            check(email)
        except ValidationError:
            raise ValidationError(_("Adresse e-mail invalide : %(email)s") % {"email": email}, code="email") from None


def validate_urls(value: str) -> None:
    check = URLValidator(schemes=["http", "https"])
    for url in split_values(value):
        try:
            check(url)
        except ValidationError:
            raise ValidationError(_("Adresse web invalide : %(url)s (elle commence par https://)") % {"url": url}, code="url") from None


def validate_opening_hours(value: str) -> None:
    if not value:
        return
    try:
        opening_hours.validate(value)
    except opening_hours.OpeningHoursError as exc:
        raise ValidationError(str(exc), code="opening_hours") from None


@deconstructible
class SchemaChoicesValidator:
    """For a "|"-separated column whose values must come from the schema's vocabulary."""

    def __init__(self, column: str):
        self.column = column

    def __call__(self, value: str) -> None:
        vocabulary = VOCABULARIES[self.column]
        for item in split_values(value):
            if item not in vocabulary:
                raise ValidationError(_("Valeur non prévue par le schéma : « %(value)s ».") % {"value": item}, code="choice")

    def __eq__(self, other) -> bool:
        return isinstance(other, SchemaChoicesValidator) and other.column == self.column
