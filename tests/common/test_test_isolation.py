"""Tests run in two processes sharing one Redis: nothing in them may empty the whole server."""

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
FLUSH = re.compile(r"\bcache\.clear\(\)|\bflushdb\(|\bflushall\(", re.IGNORECASE)


def test_no_test_flushes_the_shared_redis():
    offenders = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in TESTS.rglob("*.py")
        if path.name != "caches.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if FLUSH.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == [], f"use tests.caches.clear_cache() instead: {offenders}"
