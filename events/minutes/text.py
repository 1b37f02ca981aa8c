"""The minutes' text cut into sections by its ``## `` headings, and the template it starts from."""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$")


@dataclass
class Section:
    title: str  # "" for the text before the first heading
    text: str


def split_sections(body: str) -> list[Section]:
    """The text as its sections, in order (the lines before the first ``## `` form an untitled one)."""
    sections = [Section("", "")]
    lines: list[str] = []
    for line in (body or "").replace("\r\n", "\n").split("\n"):
        match = HEADING.match(line)
        if match:
            sections[-1].text = "\n".join(lines).strip("\n")
            sections.append(Section(match.group(1).strip(), ""))
            lines = []
        else:
            lines.append(line)
    sections[-1].text = "\n".join(lines).strip("\n")
    if not sections[0].text:
        sections.pop(0)
    return sections


def join_sections(sections: list[Section]) -> str:
    """The text back from its sections."""
    parts = []
    for section in sections:
        parts.append(f"## {section.title}\n\n{section.text}".rstrip() if section.title else section.text)
    return "\n\n".join(p for p in parts if p).strip() + "\n"


def section_titles(body: str) -> list[str]:
    """The titles of the text's sections, in order."""
    return [s.title for s in split_sections(body) if s.title]


def replace_section(body: str, title: str, text: str) -> str:
    """The text with the content of section ``title`` replaced (KeyError when there is none)."""
    sections = split_sections(body)
    for section in sections:
        if section.title == title:
            section.text = text.strip("\n")
            return join_sections(sections)
    raise KeyError(title)


def keep_sections(body: str, titles) -> str:
    """Only the titled sections named in ``titles`` (for a public restitution)."""
    wanted = set(titles)
    return join_sections([s for s in split_sections(body) if s.title and s.title in wanted]) if wanted else ""
