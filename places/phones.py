"""Phone numbers of places, read and written with ``phonenumbers`` (Google's libphonenumber).

Stored as the national schema wants them: international form without spaces (E.164,
``+33380128973``), restricted to the calling codes of metropolitan France and overseas.
Shown as people dial them from France: ``03 80 12 89 73``, ``0262 12 34 56`` for La Réunion,
``0590 12 34 56`` for Guadeloupe; Pacific territories (Nouvelle-Calédonie, Polynésie, Wallis-et-Futuna)
keep the international form, since they are not reached through the French trunk prefix.

A number typed the French way (``0262 12 34 56``) is tried against the French regions in turn: the
metropolitan plan leaves the overseas blocks (0262, 0590, 0692…) unassigned, so the first region
where it is a valid number is the right one.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from .schema import PHONE_CALLING_CODES

# Regions tried, in order, for a number written without its calling code.
FRENCH_REGIONS = ("FR", "RE", "YT", "GP", "MQ", "GF", "PM", "MF", "BL", "NC", "PF", "WF")
# Calling codes reached from France with the national form (0 + number).
NATIONAL_DIALLING = {33, 262, 590, 594, 596, 508}


def phone_parse(value: str) -> phonenumbers.PhoneNumber | None:
    """The valid number ``value`` stands for (any common French writing), or ``None``."""
    text = (value or "").strip()
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    regions = (None,) if text.startswith("+") else FRENCH_REGIONS
    for region in regions:
        try:
            number = phonenumbers.parse(text, region)
        except NumberParseException:
            return None
        if phonenumbers.is_valid_number(number):
            return number
    return None


def is_schema_number(number: phonenumbers.PhoneNumber) -> bool:
    """A French number the national schema accepts (metropolitan or overseas calling code)."""
    return number.country_code in PHONE_CALLING_CODES


def phone_e164(value: str) -> str:
    """``03 80 12 89 73`` → ``+33380128973``; text that is not a valid number comes back stripped,
    for the validator to refuse with its message."""
    number = phone_parse(value)
    if number is None:
        return (value or "").strip()
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def phone_display(value: str) -> str:
    """How to show a stored number: national form when dialled that way from France, else
    international; an unreadable legacy value is shown as it is."""
    number = phone_parse(value)
    if number is None:
        return value or ""
    fmt = PhoneNumberFormat.NATIONAL if number.country_code in NATIONAL_DIALLING else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, fmt)
