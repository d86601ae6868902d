"""The tree keeps its shape: imports run one way between the top-level packages, modules stay small.

The arrows (DESIGN.md, ARCHITECTURE.md): ``chamado -> bot -> core``,
``bot -> knowledge_base``, ``core -> knowledge_base`` at most; ``knowledge_base``
imports nothing of ours but itself, and ``core`` no chat SDK. Read with the
standard library's ``ast``, so an import inside a function or under
``TYPE_CHECKING`` counts like any other.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = ("chamado", "bot", "core", "knowledge_base")
ALLOWED: dict[str, set[str]] = {
    "chamado": {"chamado", "bot", "core", "knowledge_base"},
    "bot": {"bot", "core", "knowledge_base"},
    "core": {"core", "knowledge_base"},
    "knowledge_base": {"knowledge_base"},
}
CHAT_SDKS = ("telegram", "slack_bolt", "slack_sdk", "aiohttp", "aiosmtplib")
LINE_CEILING = 500
CHECKED_TREES = ("chamado", "bot", "core", "knowledge_base", "tests", "benchmarks")


def python_files(*trees: str) -> Iterator[Path]:
    for tree in trees:
        for path in sorted((ROOT / tree).rglob("*.py")):
            if ".venv" not in path.parts:
                yield path


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def wrong_arrows() -> list[str]:
    found = []
    for package in OURS:
        for path in python_files(package):
            for line, module in imported_modules(path):
                top = module.split(".")[0]
                if top in OURS and top not in ALLOWED[package]:
                    found.append(f"{path.relative_to(ROOT)}:{line} imports {module} ({package} -> {top})")
                if package == "core" and top in CHAT_SDKS:
                    found.append(f"{path.relative_to(ROOT)}:{line} imports the SDK {module}")
    return found


def test_imports_run_one_way_between_the_top_level_packages() -> None:
    assert wrong_arrows() == []


def test_the_arrow_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from chamado.settings import Settings\n", encoding="utf-8")
    assert list(imported_modules(sample)) == [(2, "chamado.settings")]


def oversized_modules() -> list[str]:
    found = []
    for path in python_files(*CHECKED_TREES):
        if "migrations" in path.parts:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > LINE_CEILING:
            found.append(f"{path.relative_to(ROOT)}: {lines} lines")
    return found


def test_no_module_outside_migrations_passes_the_line_ceiling() -> None:
    assert oversized_modules() == []


@pytest.mark.parametrize("package", OURS)
def test_every_module_says_what_it_holds(package: str) -> None:
    missing = []
    for path in python_files(package):
        if "versions" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if tree.body and ast.get_docstring(tree) is None:
            missing.append(str(path.relative_to(ROOT)))
    assert missing == []
