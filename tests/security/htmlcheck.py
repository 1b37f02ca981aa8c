"""Find live markup in a rendered page: what a browser would execute or navigate to.

Parsed with ``html.parser`` (not grepped), with rules that fit our templates: they carry no inline
script, no event-handler attribute, no ``style`` attribute, no frame or plugin, and load scripts only
from ``/static/``. Anything else of that kind on a page can only come from user input.
"""

import re
from html.parser import HTMLParser

URL_ATTRS = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "background",
    "data",
    "srcset",
    "lowsrc",
    "dynsrc",
    "ping",
    "codebase",
    "cite",
    "longdesc",
    "usemap",
    "manifest",
    "icon",
    "profile",
    "code",
    "archive",
    "to",
    "values",
    "from",
    "by",
}
FORBIDDEN_TAGS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "portal",
    "math",
    "template",
    "xmp",
    "plaintext",
    "isindex",
    "bgsound",
    "param",
    "keygen",
    "foreignobject",
    "animate",
    "animatetransform",
    "animatemotion",
    "set",
    "discard",
    "use",
    "listing",
    "noembed",
    "style",
}
BAD_SCHEMES = ("javascript:", "vbscript:", "livescript:", "mocha:", "data:")
SAFE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp);", re.I)
CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f\u200b\u2028\u2029\ufeff]+")
HTMX_ATTR = re.compile(r"^(data-)?hx-")
HTMX_OUR = {"hx-get", "hx-post", "hx-target", "hx-swap", "hx-push-url", "hx-trigger"}  # hx-post: the forum poll vote


def _scheme_of(value: str) -> str:
    return CONTROL.sub("", value).lower()


class _Finder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False
        self._script_src = ""
        self._buffer = []

    def _flag(self, text):
        self.problems.append(text)

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)
        if tag == "script":
            self._in_script = False

    def _check(self, tag, attrs):
        raw = self.get_starttag_text() or tag
        if tag in FORBIDDEN_TAGS:
            self._flag(f"forbidden tag <{tag}>: {raw[:160]}")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self._flag(f"script not from /static/: {raw[:160]}")
            self._in_script = True
            self._buffer = []
        if tag == "meta" and any(k == "http-equiv" for k, _ in attrs):
            self._flag(f"meta http-equiv: {raw[:160]}")
        if tag == "link":
            rel = (dict(attrs).get("rel") or "").lower()
            href = dict(attrs).get("href") or ""
            if rel not in {
                "stylesheet",
                "icon",
                "alternate",
                "canonical",
                "preload",
                "manifest",
                "apple-touch-icon",
            } or not href.startswith("/"):
                self._flag(f"link: {raw[:160]}")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self._flag(f"event handler {name}= on <{tag}>: {raw[:160]}")
            elif name == "style":
                self._flag(f"style attribute on <{tag}>: {raw[:160]}")
            elif name in {"srcdoc", "formaction"}:
                self._flag(f"{name} on <{tag}>: {raw[:160]}")
            elif HTMX_ATTR.match(name) and (name not in HTMX_OUR or "mes-donnees" in value or "logout" in value or "load" in value):
                self._flag(f"htmx attribute {name} on <{tag}>: {raw[:160]}")
            if name in URL_ATTRS or name.endswith(":href"):
                for part in value.split(",") if name == "srcset" else [value]:
                    url = _scheme_of(part)
                    if url.startswith(BAD_SCHEMES) and not (tag == "img" and name == "src" and SAFE_DATA.match(url)):
                        self._flag(f"{name}={value[:80]!r} on <{tag}>: {raw[:160]}")

    def handle_endtag(self, tag):
        if tag == "script":
            if "".join(self._buffer).strip():
                self._flag(f"inline script: {''.join(self._buffer)[:160]}")
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self._buffer.append(data)


def live_markup(html: str) -> list[str]:
    """The problems found in ``html``: each a short description with the offending tag."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.problems


def load_payloads() -> list[str]:
    from pathlib import Path

    # split on "\n" only: some payloads carry U+2028, which splitlines() would treat as a line break
    lines = (Path(__file__).parent / "xss_payloads.txt").read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line.strip()]
