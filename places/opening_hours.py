"""A parser for the subset of the OSM ``opening_hours`` syntax that mediation places use.

Grammar (https://wiki.openstreetmap.org/wiki/Key:opening_hours/specification), the parts seen in
practice in the national data:

    sequence   := rule ( (";" | "," | "||") rule )*
    rule       := "24/7" [modifier] [comment]
                | [months] [weekdays] [times] [modifier] [comment]      (at least one part)
    months     := month_range ("," month_range)*       Jan-Mar, Dec 24-Dec 26, Aug
    weekdays   := weekday_item ("," weekday_item)*     Mo-Fr, Mo,We, Sa[1], PH, SH
    times      := timespan ("," timespan)*             09:00-12:00, 14:00-18:30, 19:00+
    modifier   := "off" | "closed" | "open" | "unknown"
    comment    := '"' text '"'

A comma is read as part of a list when the next item is of the same kind (``Mo,We`` or
``09:00-12:00,14:00-18:00``) and as an additional-rule separator otherwise (``Mo 10:00-12:00, PH off``),
as the specification says. ``parse`` returns the rules as dicts (used to describe the hours in
French on the place page); ``OpeningHoursError`` carries a French message with the position.
"""

import re
from dataclasses import dataclass, field

WEEKDAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
WEEKDAY_FR = dict(zip(WEEKDAYS, ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"], strict=True))
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTH_FR = dict(
    zip(
        MONTHS,
        ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
        strict=True,
    )
)
HOLIDAYS = {"PH": "jours fériés", "SH": "vacances scolaires"}
MODIFIERS = {"off": "fermé", "closed": "fermé", "open": "ouvert", "unknown": "horaires inconnus"}

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<always>24/7)
  | (?P<time>\d{1,2}:\d{2})
  | (?P<number>\d+)
  | (?P<word>[A-Za-z]+)
  | (?P<comment>"[^"]*")
  | (?P<oror>\|\|)
  | (?P<punct>[-,;\[\]+:])
    """,
    re.VERBOSE,
)


class OpeningHoursError(ValueError):
    def __init__(self, message: str, position: int | None = None):
        self.position = position
        if position is not None:
            message = f"{message} (position {position + 1})"
        super().__init__(message)


@dataclass
class Token:
    kind: str
    value: str
    pos: int


@dataclass
class Rule:
    always: bool = False
    months: list[tuple[str, str]] = field(default_factory=list)
    weekdays: list[tuple[str, str]] = field(default_factory=list)
    holidays: list[str] = field(default_factory=list)
    times: list[tuple[str, str]] = field(default_factory=list)
    modifier: str = ""
    comment: str = ""


def _tokenize(text: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise OpeningHoursError(f"Caractère inattendu « {text[pos]} »", pos)
        kind = m.lastgroup
        if kind != "space":
            value = m.group()
            if kind == "word":
                if value in WEEKDAYS:
                    kind = "weekday"
                elif value in MONTHS:
                    kind = "month"
                elif value in HOLIDAYS:
                    kind = "holiday"
                elif value in MODIFIERS:
                    kind = "modifier"
                else:
                    raise OpeningHoursError(f"Mot inconnu « {value} » (jours attendus : Mo Tu We Th Fr Sa Su, PH, off…)", pos)
            tokens.append(Token(kind, value, pos))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self, offset: int = 0) -> Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def at(self, kind: str, value: str | None = None, offset: int = 0) -> bool:
        tok = self.peek(offset)
        return tok is not None and tok.kind == kind and (value is None or tok.value == value)

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, kind: str, value: str | None, what: str) -> Token:
        if not self.at(kind, value):
            tok = self.peek()
            where = tok.pos if tok else len(self.text)
            found = f"« {tok.value} »" if tok else "la fin du texte"
            raise OpeningHoursError(f"{what} attendu, trouvé {found}", where)
        return self.take()

    # --- grammar --------------------------------------------------------------------------
    def sequence(self) -> list[Rule]:
        if not self.tokens:
            raise OpeningHoursError("Horaires vides")
        rules = [self.rule()]
        while self.peek() is not None:
            if self.at("punct", ";") or self.at("punct", ",") or self.at("oror"):
                sep = self.take()
                if self.peek() is None:
                    if sep.value == ";":  # a trailing ";" is common and harmless
                        break
                    raise OpeningHoursError("Règle attendue après le séparateur", sep.pos)
                rules.append(self.rule())
            else:
                tok = self.peek()
                raise OpeningHoursError(f"« {tok.value} » inattendu : séparez les règles par « ; »", tok.pos)
        return rules

    def rule(self) -> Rule:
        rule = Rule()
        start = self.i
        if self.at("always"):
            self.take()
            rule.always = True
        else:
            if self.at("month"):
                rule.months = self.months()
            if self.at("weekday") or self.at("holiday"):
                self.weekdays(rule)
            if self.at("time"):
                rule.times = self.times()
        if self.at("modifier"):
            rule.modifier = self.take().value
        if self.at("comment"):
            rule.comment = self.take().value[1:-1]
        if self.i == start:
            tok = self.peek()
            raise OpeningHoursError(
                f"Règle attendue (jours, heures, 24/7 ou off), trouvé « {tok.value} »" if tok else "Règle attendue",
                tok.pos if tok else len(self.text),
            )
        return rule

    def months(self) -> list[tuple[str, str]]:
        ranges = [self.month_range()]
        while self.at("punct", ",") and self.at("month", offset=1):
            self.take()
            ranges.append(self.month_range())
        return ranges

    def month_range(self) -> tuple[str, str]:
        start = self.take().value
        if self.at("number"):
            start += " " + self.day()
        end = start
        if self.at("punct", "-") and (self.at("month", offset=1) or self.at("number", offset=1)):
            self.take()
            end = self.take().value if self.at("month") else start.split()[0]
            if self.at("number"):
                end = end.split()[0] + " " + self.day()
        return start, end

    def day(self) -> str:
        tok = self.take()
        if not 1 <= int(tok.value) <= 31:
            raise OpeningHoursError(f"Jour du mois invalide « {tok.value} »", tok.pos)
        return tok.value

    def weekdays(self, rule: Rule) -> None:
        self.weekday_item(rule)
        while self.at("punct", ",") and (self.at("weekday", offset=1) or self.at("holiday", offset=1)):
            self.take()
            self.weekday_item(rule)

    def weekday_item(self, rule: Rule) -> None:
        if self.at("holiday"):
            rule.holidays.append(self.take().value)
            return
        start = self.take().value
        if self.at("punct", "["):
            self.nth()
        end = start
        if self.at("punct", "-"):
            self.take()
            end = self.expect("weekday", None, "Jour de fin (Mo…Su)").value
        rule.weekdays.append((start, end))

    def nth(self) -> None:
        self.take()  # "["
        while True:
            if self.at("punct", "-"):
                self.take()
            tok = self.expect("number", None, "Rang de la semaine du mois (1 à 5)")
            if not 1 <= int(tok.value) <= 5:
                raise OpeningHoursError("Le rang dans le mois va de 1 à 5", tok.pos)
            if self.at("punct", "-") and self.at("number", offset=1):
                self.take()
                continue
            if self.at("punct", ","):
                self.take()
                continue
            break
        self.expect("punct", "]", "« ] »")

    def times(self) -> list[tuple[str, str]]:
        spans = [self.timespan()]
        while self.at("punct", ",") and self.at("time", offset=1):
            self.take()
            spans.append(self.timespan())
        return spans

    def timespan(self) -> tuple[str, str]:
        start_tok = self.take()
        start = self.minutes(start_tok, maximum=24 * 60)
        if self.at("punct", "+"):
            self.take()
            return start_tok.value, "+"
        self.expect("punct", "-", "« - » entre deux heures")
        end_tok = self.expect("time", None, "Heure de fin (hh:mm)")
        end = self.minutes(end_tok, maximum=48 * 60)
        if end == start:
            raise OpeningHoursError("Une plage horaire ne peut pas finir à l'heure où elle commence", end_tok.pos)
        if self.at("punct", "+"):
            self.take()
        return start_tok.value, end_tok.value

    @staticmethod
    def minutes(tok: Token, maximum: int) -> int:
        hours, minutes = (int(x) for x in tok.value.split(":"))
        if len(tok.value.split(":")[0]) != 2:
            raise OpeningHoursError(f"Heure « {tok.value} » : écrivez deux chiffres (09:00)", tok.pos)
        if minutes > 59 or hours * 60 + minutes > maximum:
            raise OpeningHoursError(f"Heure invalide « {tok.value} »", tok.pos)
        return hours * 60 + minutes


def parse(text: str) -> list[Rule]:
    """Parse an opening_hours value; raise ``OpeningHoursError`` (French message) if invalid."""
    return _Parser(text.strip()).sequence()


def describe(text: str) -> list[str]:
    """French sentences for a valid value (``["du lundi au vendredi : 09:00–12:00, 14:00–18:30"]``).

    Returns ``[text]`` unchanged if it does not parse, so a page never fails on legacy data.
    """
    try:
        rules = parse(text)
    except OpeningHoursError:
        return [text]
    lines = []
    for rule in rules:
        if rule.always:
            parts = ["tous les jours, 24 h sur 24"]
        else:
            parts = []
            for start, end in rule.months:
                parts.append(_month(start) if start == end else f"de {_month(start)} à {_month(end)}")
            days = []
            for start, end in rule.weekdays:
                days.append(WEEKDAY_FR[start] if start == end else f"du {WEEKDAY_FR[start]} au {WEEKDAY_FR[end]}")
            days += [HOLIDAYS[h] for h in rule.holidays]
            if days:
                parts.append(", ".join(days))
        text_line = " ".join(parts) or "tous les jours"
        if rule.times:
            spans = ", ".join(f"à partir de {s}" if e == "+" else f"{s}–{e}" for s, e in rule.times)
            text_line += f" : {spans}"
        if rule.modifier:
            text_line += f" : {MODIFIERS[rule.modifier]}"
        if rule.comment:
            text_line += f" ({rule.comment})"
        lines.append(text_line[0].upper() + text_line[1:])
    return lines


def _month(value: str) -> str:
    bits = value.split()
    return f"{bits[1]} {MONTH_FR[bits[0]]}" if len(bits) == 2 else MONTH_FR[bits[0]]
