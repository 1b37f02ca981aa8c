"""French catalogue upkeep: regenerate it, check that it is complete, find text left out of gettext.

French is the source language: msgids are French. The rules ``make messages`` applies and
``make checks`` enforces:

* ``locale/fr/LC_MESSAGES/django.po`` holds every msgid of the code, none fuzzy, none empty. A French
  msgstr equals its msgid unless someone revised the wording there (then the revision is kept);
  ``make messages`` fills new entries with their msgid (plural forms too) and replaces the guesses
  ``msgmerge`` marks fuzzy by the msgid itself, since a neighbour's French is never right.
* ``locale/en`` gets the same msgids; an empty English msgstr shows the French text, so English
  coverage is reported, not enforced.
* Locations are file names only (``--add-location file``): a moved line does not change the
  catalogue, so regenerating after a merge gives a small diff.
* Templates show no French outside ``{% translate %}`` / ``{% blocktranslate %}``:
  :func:`template_untranslated` scans their text nodes and the attributes people read (``alt``,
  ``title``, ``placeholder``, ``aria-label``…); ``ops/untranslated-allowlist.txt`` lists what stays.
"""

import os
import re
import shutil
import subprocess  # nosec B404 - runs GNU gettext and manage.py with fixed argument lists
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings
from django.template.base import Lexer, TokenType

LOCALES = ("fr", "en")
SOURCE_LOCALE = "fr"
# Folders makemessages never reads: tests and benches hold no user-facing text; the rest is data.
IGNORE_PATTERNS = (
    "tests/*",
    "bench/*",
    "docs/*",
    "deploy/*",
    "scripts/*",
    "staticfiles/*",
    "media/*",
    "private-media/*",
    "backups/*",
    "node_modules/*",
)
# What a temporary copy of the project needs for makemessages (code, templates, catalogues).
COPY_IGNORE = shutil.ignore_patterns(
    ".*", "__pycache__", "*.pyc", "*.sqlite3*", "staticfiles", "media", "private-media", "backups", "node_modules", "*.mo"
)
ALLOWLIST = Path(__file__).with_name("untranslated-allowlist.txt")


def gettext_available() -> bool:
    """GNU gettext's tools are installed (Debian package ``gettext``)."""
    return all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msgattrib", "msgcat", "msgfmt"))


def catalogue_path(base: Path, locale: str) -> Path:
    return base / "locale" / locale / "LC_MESSAGES" / "django.po"


def _run(args: list[str], *, cwd: Path) -> None:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    if result.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}{result.stderr}")


def catalogues_update(base: Path) -> None:
    """Run makemessages over the project at ``base``, then make the French catalogue complete
    (fuzzy guesses dropped, empty entries set to their msgid)."""
    ignores = [arg for pattern in IGNORE_PATTERNS for arg in ("--ignore", pattern)]
    locales = [arg for locale in LOCALES for arg in ("-l", locale)]
    _run(
        [sys.executable, "manage.py", "makemessages", *locales, *ignores, "--no-obsolete", "--add-location", "file", "-v", "0"],
        cwd=base,
    )
    for locale in LOCALES:
        _header_fix(catalogue_path(base, locale), locale)
    french = str(catalogue_path(base, SOURCE_LOCALE))
    _run(["msgattrib", "--clear-fuzzy", "--empty", "--clear-previous", "--add-location=file", "-o", french, french], cwd=base)
    _source_fill(Path(french))
    _run(["msgcat", "--add-location=file", "-o", french, french], cwd=base)  # gettext's own line wrapping


def _header_fix(path: Path, locale: str) -> None:
    """Fill the header fields makemessages leaves as placeholders and drop its ``fuzzy`` flag (set on a
    new catalogue), so that ``msgattrib --clear-fuzzy --empty`` does not empty the header (and lose
    its charset)."""
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition('msgid ""\n')
    if not sep:
        return
    header, blank, entries = rest.partition("\n\n")
    header = header.replace('"Language: \\n"', f'"Language: {locale}\\n"').replace(
        '"Project-Id-Version: PACKAGE VERSION\\n"', '"Project-Id-Version: Maillage\\n"'
    )
    path.write_text(head.replace("#, fuzzy\n", "", 1) + sep + header + blank + entries, encoding="utf-8")


def _field(lines: list[str], keyword: str) -> list[str] | None:
    """The quoted lines of ``keyword`` (``msgid``, ``msgstr[0]``…) in one catalogue entry."""
    for i, line in enumerate(lines):
        if line.startswith(keyword + " "):
            value = [line[len(keyword) + 1 :]]
            for following in lines[i + 1 :]:
                if not following.startswith('"'):
                    break
                value.append(following)
            return value
    return None


def _source_fill(path: Path) -> None:
    """Give every untranslated French entry its msgid as translation (plural entries: the singular
    for the first form, the plural for the others, every form present), keeping revised wording."""
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    found = re.search(r"nplurals=(\d+)", blocks[0])
    nplurals = int(found.group(1)) if found else 2
    for b, block in enumerate(blocks):
        lines = block.split("\n")
        msgid = _field(lines, "msgid")
        if msgid is None or msgid == ['""']:
            continue  # the header, or an obsolete entry
        plural = _field(lines, "msgid_plural")
        first = next(i for i, line in enumerate(lines) if line.startswith("msgstr"))  # msgstr lines end an entry
        existing = {line.split(" ", 1)[0]: _field(lines, line.split(" ", 1)[0]) for line in lines[first:] if line.startswith("msgstr")}
        translated = any(value != ['""'] for value in existing.values())
        wanted = ["msgstr"] if plural is None else [f"msgstr[{n}]" for n in range(nplurals)]
        filled = []
        for n, keyword in enumerate(wanted):
            value = existing.get(keyword) if translated else None
            if value is None:
                value = msgid if n == 0 else plural
            filled += [f"{keyword} {value[0]}", *value[1:]]
        blocks[b] = "\n".join(lines[:first] + filled)
    path.write_text("\n\n".join(blocks), encoding="utf-8")


@dataclass(frozen=True)
class CatalogueReport:
    missing: list[str]  # msgids of the code absent from the committed French catalogue
    untranslated: list[str]  # French entries empty or fuzzy
    stale: list[str]  # French entries no code uses any more
    invalid: list[str]  # msgfmt --check errors (placeholders, plural forms) in the committed catalogue
    english_untranslated: int
    english_total: int

    @property
    def ok(self) -> bool:
        return not self.missing and not self.untranslated and not self.invalid


def _entries(path: Path) -> dict[tuple, object]:
    with path.open("rb") as po_file:
        catalog = read_po(po_file)
    return {
        (message.context, message.id if isinstance(message.id, str) else tuple(message.id)): message for message in catalog if message.id
    }


def _label(key: tuple) -> str:
    context, msgid = key
    text = msgid if isinstance(msgid, str) else msgid[0]
    return f"[{context}] {text}" if context else text


def _is_empty(message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return not all(strings)


def _msgfmt_errors(path: Path) -> list[str]:
    """Errors of ``msgfmt --check`` (placeholders that differ, missing plural forms)."""
    args = ["msgfmt", "--check", "-o", os.devnull, str(path)]
    result = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    return [] if result.returncode == 0 else [line for line in result.stderr.splitlines() if "warning:" not in line]


def catalogue_check(base: Path | None = None) -> CatalogueReport:
    """Compare the committed catalogues with what makemessages finds in the code now (run in a
    temporary copy, so the working tree is never touched)."""
    base = Path(base or settings.BASE_DIR)
    with tempfile.TemporaryDirectory(prefix="maillage-messages-") as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(base, copy, ignore=COPY_IGNORE, symlinks=True)
        catalogues_update(copy)
        fresh = _entries(catalogue_path(copy, SOURCE_LOCALE))
        english = _entries(catalogue_path(copy, "en"))
    committed_path = catalogue_path(base, SOURCE_LOCALE)
    committed = _entries(committed_path) if committed_path.exists() else {}
    return CatalogueReport(
        missing=sorted(_label(key) for key in fresh.keys() - committed.keys()),
        untranslated=sorted(_label(key) for key, message in committed.items() if message.fuzzy or _is_empty(message)),
        stale=sorted(_label(key) for key in committed.keys() - fresh.keys()),
        invalid=_msgfmt_errors(committed_path) if committed_path.exists() else [],
        english_untranslated=sum(1 for message in english.values() if message.fuzzy or _is_empty(message)),
        english_total=len(english),
    )


# --- Text of templates outside gettext ---------------------------------------------------------

# A stand-in for each template tag or variable: not a letter, so "{{ n }} €" reads as no text.
_HOLE = "\ue000"
_WORD = re.compile(r"[^\W\d_]{2,}")
# Attributes whose value people read (or hear, with a screen reader).
_VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "aria-roledescription", "label"}
# Content shown verbatim (code samples) or never shown.
_SKIP_CONTENT = {"script", "style", "code", "kbd", "samp"}
# One technical token (a CSS class in a ``{% block body_class %}``, CSV column names): no language.
_IDENTIFIER = re.compile(r"^[a-z0-9]+([_;:.-][a-z0-9]+)+$")
# Words that are the same in every language: names, formats, units and acronyms.
_NEUTRAL_WORDS = {
    "maillage", "csv", "json", "geojson", "xlsx", "pdf", "ical", "ics", "rss", "atom", "url", "api", "html", "svg",
    "png", "jpeg", "webp", "gif", "odt", "ods", "zip", "totp", "rgpd", "rgaa", "wcag", "siret", "siren", "insee",
    "osm", "openstreetmap", "open", "badges", "badge", "ko", "mo", "go", "km", "min", "wagtail", "django", "htmx",
    "qr", "code", "id", "mail", "www", "http", "https",
}  # fmt: skip


@dataclass(frozen=True, order=True)
class UntranslatedText:
    template: str  # path relative to the templates folder
    line: int
    text: str

    def allowlist_key(self) -> str:
        return f"{self.template}: {self.text}"


class _TextCollector(HTMLParser):
    """Collects text nodes and visible attribute values (with their line) of a template skeleton."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if value and (
                name in _VISIBLE_ATTRIBUTES
                or (name == "value" and tag == "input" and (attributes.get("type") or "") in {"submit", "button", "reset"})
                or (
                    name == "content"
                    and tag == "meta"
                    and (attributes.get("name") or attributes.get("property") or "") in {"description", "og:title", "og:description"}
                )
            ):
                self.found.append((self.getpos()[0], value))
        if tag in _SKIP_CONTENT:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in _SKIP_CONTENT and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.found.append((self.getpos()[0], data))


def _skeleton(source: str) -> str:
    """The template's text, each tag or variable replaced by a hole and ``{% blocktranslate %}``,
    ``{% comment %}`` and ``{% verbatim %}`` blocks left out (their line breaks kept)."""
    parts: list[str] = []
    closing = None  # the end tag of the block being left out
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split(None, 1)[0] if token.contents else ""
            if closing is None and name in {"blocktranslate", "blocktrans", "comment", "verbatim"}:
                closing = "end" + name
            elif name == closing:
                closing = None
            parts.append(_HOLE)
        elif token.token_type != TokenType.TEXT:
            parts.append(_HOLE)
        elif closing:
            parts.append("\n" * token.contents.count("\n"))
        else:
            parts.append(token.contents)
    return "".join(parts)


def _is_language(text: str) -> bool:
    if _IDENTIFIER.match(text):
        return False
    words = [word.lower() for word in _WORD.findall(text)]
    return any(word not in _NEUTRAL_WORDS for word in words) and not all(w.isupper() for w in _WORD.findall(text))


def template_texts(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) of every user-visible run of words in a template that gettext does not see."""
    collector = _TextCollector()
    collector.feed(_skeleton(source))
    collector.close()
    for line, raw in collector.found:
        text = " ".join(raw.replace(_HOLE, " ").split())
        if text and _is_language(text):
            yield line, text


def template_dirs() -> list[Path]:
    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    return [d for d in dirs if Path(d).resolve().is_relative_to(Path(settings.BASE_DIR).resolve())]


def template_untranslated(dirs: Iterable[Path] | None = None) -> list[UntranslatedText]:
    """Every text of the project's templates outside gettext (HTML and plain-text e-mails)."""
    found = []
    for directory in dirs if dirs is not None else template_dirs():
        for path in sorted(Path(directory).rglob("*")):
            if path.suffix not in {".html", ".txt"} or not path.is_file():
                continue
            name = path.relative_to(directory).as_posix()
            for line, text in template_texts(path.read_text(encoding="utf-8")):
                found.append(UntranslatedText(name, line, text))
    return found


def allowlist(path: Path = ALLOWLIST) -> set[str]:
    """Allowed lines: ``template: text`` for one text that stays as it is, or ``template`` alone for
    a whole template still to translate (``#`` starts a comment line)."""
    if not path.exists():
        return set()
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line and not line.startswith("#")}


def template_untranslated_new(
    dirs: Iterable[Path] | None = None, allowed: set[str] | None = None
) -> tuple[list[UntranslatedText], set[str]]:
    """Texts outside gettext that the allow-list does not cover, and allow-list lines no longer needed."""
    allowed = allowlist() if allowed is None else allowed
    found = template_untranslated(dirs)
    keys = {item.allowlist_key() for item in found} | {item.template for item in found}
    new = [item for item in found if item.allowlist_key() not in allowed and item.template not in allowed]
    return new, allowed - keys
