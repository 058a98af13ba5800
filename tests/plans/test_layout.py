"""The layout shows the architecture: ``reports`` depends on ``plans``, never the reverse."""

import ast
from pathlib import Path

PLANS = Path(__file__).resolve().parents[2] / "plans"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_plans_never_imports_reports():
    offenders = {
        str(path.relative_to(PLANS.parent)): sorted(
            n for n in imported_modules(path) if n.split(".")[0] == "reports"
        )
        for path in PLANS.rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}
