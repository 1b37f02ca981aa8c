"""Read back the text of a PDF written by ``common.pdf`` (fpdf2, embedded subset TrueType fonts).

No PDF reader is installed, so this follows each font's ``/ToUnicode`` map: glyph ids in the
content stream become the characters a reader would copy — what a person sees printed.
"""

import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_OPS = re.compile(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj|\[((?:\\.|[^\\\]])*)\] TJ", re.S)
_LITERAL = re.compile(rb"\(((?:\\.|[^\\)])*)\)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _stream(body: bytes) -> bytes:
    match = _STREAM.search(body)
    if match is None:
        return b""
    raw = match.group(1)
    return zlib.decompress(raw) if b"/FlateDecode" in body.split(b"stream", 1)[0] else raw


def _unescape(lit: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(lit):
        if lit[i : i + 1] == b"\\":
            nxt = lit[i + 1 : i + 2]
            if nxt.isdigit():
                digits = re.match(rb"[0-7]{1,3}", lit[i + 1 :]).group(0)
                out.append(int(digits, 8))
                i += 1 + len(digits)
                continue
            out += _ESCAPES.get(nxt, nxt)
            i += 2
        else:
            out += lit[i : i + 1]
            i += 1
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """The text of every page, one line per text operation."""
    objects = {int(n): body for n, body in _OBJ.findall(data)}
    maps = {}
    for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", data):
        font = objects.get(int(ref), b"")
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font)
        if to_unicode is None:
            continue
        cmap = {}
        for src, dst in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", _stream(objects[int(to_unicode.group(1))])):
            cmap[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        maps[name] = cmap
    lines, font = [], None
    for body in objects.values():
        content = _stream(body)
        if b" Tj" not in content and b" TJ" not in content:
            continue
        for match in _OPS.finditer(content):
            if match.group(1):
                font = match.group(1)
                continue
            literals = [match.group(2)] if match.group(2) is not None else _LITERAL.findall(match.group(3))
            raw = b"".join(_unescape(lit) for lit in literals)
            cmap = maps.get(font, {})
            lines.append("".join(cmap.get(int.from_bytes(raw[i : i + 2], "big"), "\ufffd") for i in range(0, len(raw), 2)))
    return "\n".join(lines)
