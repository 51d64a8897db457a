"""The shape of the code: the layer order holds, no import cycles, no private names
imported across modules, small modules, and plugins that import only ``tlc.plugin``.

The layers themselves are checked by ``lint-imports`` (the contract in
``pyproject.toml``, run by ``make test``); these check what a layers contract cannot.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPILER = ROOT / "compiler"
PLUGINS = ROOT / "plugins"
MAX_LINES = 450


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("tlc", include_external_packages=False)


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan's algorithm over
    the direct imports grimp finds: module level, in functions, under TYPE_CHECKING)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.find_modules_directly_imported_by(v)):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def test_no_import_cycles() -> None:
    graph = _graph()
    assert len(graph.modules) > 50  # the whole package was read
    assert import_cycles(graph) == []


def _sources(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", _sources(COMPILER) + _sources(PLUGINS),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def test_no_private_name_is_imported_across_modules() -> None:
    found = []
    for path in _sources(COMPILER) + _sources(PLUGINS):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {alias.name}")
    assert found == []


def test_plugins_import_only_the_plugin_api() -> None:
    found = []
    for path in _sources(PLUGINS):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if (name == "tlc" or name.startswith("tlc.")) and name != "tlc.plugin":
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert found == []


def test_the_cli_starts_with_click_alone() -> None:
    """``tlc --help`` answers at once: the CLI's module imports click and nothing of the
    compiler (each command imports what it needs when it runs)."""
    import subprocess
    import sys

    code = (
        "import sys, tlc.cli; "
        "heavy = [m for m in ('lark', 'av', 'pluggy', 'rich', 'jinja2', 'tlc.api', "
        "'opentimelineio') "
        "if m in sys.modules]; print(heavy); sys.exit(bool(heavy))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stdout + run.stderr
