"""Template lines under ``LIMIT`` characters, by turning existing whitespace into a line break
where HTML reads both the same.

A break is only ever made in a run of spaces that already exists, outside ``{% %}``, ``{{ }}``,
``{# #}`` (Django's tags are one-line), outside quoted attribute values, outside
``<pre>``/``<textarea>``/``<script>``/``<style>`` and outside non-trimmed ``blocktranslate``
blocks (their text is the msgid). Breaks in text come before breaks between a tag's
attributes. What is left over the limit has no such space: it needs a hand-made change.
Used by ``manage.py wrap_templates`` and by the test that keeps templates readable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

LIMIT = 160
TARGET = 120  # a wrapped line aims at this width
RAW_ELEMENTS = ("pre", "textarea", "script", "style")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9]+)")


@dataclass
class _State:
    raw: bool = False  # inside <pre>, <textarea>, <script> or <style>
    msgid: bool = False  # inside a non-trimmed blocktranslate
    in_tag: bool = False  # between "<name" and ">" (a tag may span lines)
    quote: str | None = None  # inside a quoted attribute value

    def copy(self) -> _State:
        return _State(self.raw, self.msgid, self.in_tag, self.quote)


@dataclass
class _Break:
    start: int
    end: int
    in_tag: bool  # between a tag's attributes (a second choice)


@dataclass
class _Scan:
    breaks: list[_Break] = field(default_factory=list)
    complete: bool = True  # False when a {% … %} or {{ … }} does not close on the line


def _scan(line: str, state: _State) -> _Scan:
    """Where ``line`` may break, updating ``state`` for the next line."""
    scan, n = _Scan(), len(line)
    i = n - len(line.lstrip())  # never break the indentation
    in_tag, quote = state.in_tag, state.quote
    while i < n:
        for opener, closer in (("{%", "%}"), ("{{", "}}"), ("{#", "#}")):
            if line.startswith(opener, i):
                j = line.find(closer, i)
                if j < 0:
                    scan.complete = False
                    state.in_tag, state.quote = in_tag, quote
                    return scan
                if opener == "{%":
                    words = line[i + 2 : j].split()
                    if words and words[0] in ("blocktranslate", "blocktrans") and "trimmed" not in words:
                        state.msgid = True
                    elif words and words[0] in ("endblocktranslate", "endblocktrans"):
                        state.msgid = False
                i = j + 2
                break
        else:
            c = line[i]
            breakable = not state.raw and not state.msgid
            if in_tag:
                if quote:
                    quote = None if c == quote else quote
                elif c in "\"'":
                    quote = c
                elif c == ">":
                    in_tag = False
                elif c.isspace() and breakable:
                    j = i
                    while j < n and line[j].isspace():
                        j += 1
                    scan.breaks.append(_Break(i, j, in_tag=True))
                    i = j
                    continue
            elif c == "<" and (m := _TAG_NAME.match(line, i)):
                if m.group(1).lower() in RAW_ELEMENTS:
                    state.raw = line[i + 1] != "/"
                in_tag = True
            elif c.isspace() and breakable:
                j = i
                while j < n and line[j].isspace():
                    j += 1
                if j < n:
                    scan.breaks.append(_Break(i, j, in_tag=False))
                i = j
                continue
            i += 1
    state.in_tag, state.quote = in_tag, quote
    return scan


def _wrap(line: str, breaks: list[_Break]) -> list[str]:
    indent = re.match(r"\s*", line).group(0) + "  "
    pieces, start, width = [], 0, TARGET
    while len(line) - start > LIMIT - (0 if start == 0 else len(indent)):
        limit = start + width
        text = [b for b in breaks if start < b.start <= limit and not b.in_tag]
        attr = [b for b in breaks if start < b.start <= limit and b.in_tag]
        best = text[-1] if text else None
        if attr and (best is None or best.start - start < width // 3) and (best is None or attr[-1].start > best.start):
            best = attr[-1]
        if best is None:
            best = next((b for b in breaks if b.start > limit), None)
        if best is None:
            break
        pieces.append(line[start : best.start])
        start, width = best.end, TARGET - len(indent)
    pieces.append(line[start:])
    return [pieces[0], *(indent + p for p in pieces[1:])]


def wrap_text(text: str) -> tuple[str, list[int]]:
    """The template with its long lines wrapped, and the (1-based) numbers of the lines still too long."""
    state, out, still_long = _State(), [], []
    for line in text.split("\n"):
        before = state.copy()
        scan = _scan(line, state)
        if len(line) > LIMIT and scan.complete and scan.breaks and not before.raw and not before.msgid:
            out.extend(_wrap(line, scan.breaks))
        else:
            out.append(line)
        if len(out[-1]) > LIMIT or any(len(x) > LIMIT for x in out[-3:]):
            still_long.append(len(out))
    wrapped = "\n".join(out)
    if re.sub(r"\s+", " ", wrapped) != re.sub(r"\s+", " ", text):  # only whitespace may change
        raise AssertionError("wrapping changed more than whitespace")
    return wrapped, sorted({i for i in still_long if len(out[i - 1]) > LIMIT})


def wrappable_lines(path: Path) -> list[int]:
    """Line numbers over ``LIMIT`` that ``wrap_text`` would break (an empty list when the file is tidy)."""
    text = path.read_text()
    lines = text.split("\n")
    wrapped, _still = wrap_text(text)
    if wrapped == text:
        return []
    state, found = _State(), []
    for number, line in enumerate(lines, 1):
        before = state.copy()
        scan = _scan(line, state)
        if len(line) > LIMIT and scan.complete and scan.breaks and not before.raw and not before.msgid:
            found.append(number)
    return found
