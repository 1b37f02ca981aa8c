"""Every public service and selector says in one line which rule it enforces (issue 17, item 6):
a new one without a docstring fails here."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules():
    for pattern in ("*/services.py", "*/services/*.py", "*/selectors.py", "*/selectors/*.py", "*/*/services.py", "*/*/selectors.py"):
        for path in sorted(ROOT.glob(pattern)):
            if ".venv" not in path.parts:
                yield path


def test_public_services_and_selectors_have_a_docstring():
    silent = []
    for path in _modules():
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_") and not ast.get_docstring(node):
                silent.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert not silent, "public services/selectors without a one-line docstring:\n" + "\n".join(silent)
