"""Issue 17 item 4: templates read without sideways scrolling — no line over 160 characters,
except the ones listed in template_long_lines.txt (with the reason), whose counts may only go down.

Lines are wrapped by hand at tag and attribute boundaries only: many tests match exact HTML, and
whitespace inside <pre>, <textarea>, inline text or a translated message would change the page.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
ALLOWLIST = Path(__file__).with_name("template_long_lines.txt")
LIMIT = 160


def _allowed() -> dict[str, int]:
    allowed = {}
    for raw in ALLOWLIST.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            count, path = line.split()
            allowed[path] = int(count)
    return allowed


def _long_lines() -> dict[str, int]:
    counts = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        n = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if len(line) > LIMIT)
        if n:
            counts[str(path.relative_to(ROOT))] = n
    return counts


def test_no_template_line_over_160_characters_beyond_the_allowlist():
    allowed = _allowed()
    over = {path: (n, allowed.get(path, 0)) for path, n in _long_lines().items() if n > allowed.get(path, 0)}
    assert over == {}, f"lines over {LIMIT} characters (found, allowed): {over}: wrap them at tag or attribute boundaries"


def test_the_allowlist_names_only_templates_that_exist():
    missing = [path for path in _allowed() if not (ROOT / path).is_file()]
    assert missing == []
