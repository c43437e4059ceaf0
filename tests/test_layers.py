"""The floor plan holds: dependencies point down the layers, no import cycles, a small top level.

An AST scan of ``bot/``, ``handlers/`` and ``storage/`` (nothing is imported, so a broken module cannot
hide an edge). Every import counts wherever it stands: at the top, inside a function (a lazy import is
still a dependency), and under ``if TYPE_CHECKING:`` for the layer rule, because an annotation that names a
higher layer couples the code as much as a call does. Only the cycle rule skips ``TYPE_CHECKING``
imports: they never run, so they cannot make an import cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage")

LAYERS: tuple[tuple[str, ...], ...] = (
    ("bot.digest",),
    ("bot.rules",),
    ("storage",),
    # Settings and logging import nothing of ours; everything from the sources up may read them (storage
    # may not: it gets paths and values, never the settings object).
    ("bot.config", "bot.logs"),
    ("bot.sources",),
    ("bot.render",),
    # The delivery engine is the machinery the use cases drive: it takes the repositories and knows no use
    # case; the use cases queue work and tell it through ``Services.delivery`` (wake, forget_digest).
    ("bot.delivery",),
    ("bot.features",),
    ("bot.telegram",),
    ("handlers",),
    ("bot.app", "bot.cli", "bot.__main__", "bot"),
)
"""Bottom first: a module imports only from its own layer or the ones before it."""

TOOL = "bot.sandbox"
"""The local Bot API server and terminal chat: may use anything, and only the CLI (and tests) use it."""
TOOL_USERS = ("bot.cli",)

MAX_TOP_LEVEL_MODULES = 8

ALLOWED_UPWARD: set[tuple[str, str]] = set()
"""Upward imports tolerated, as (importer, imported): none since the layers were cleaned. Never add one;
break the edge instead. The package-cycle rule skips these edges too."""

ALLOWED_CYCLE_EDGES: set[tuple[str, str]] = set()
"""Runtime import edges that close a cycle on main, as (importer, imported); shrinking like the above."""


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    line: int
    type_checking: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def our_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, type_checking: bool = False) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, type_checking
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), True)
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), type_checking)
        else:
            yield from _imports(node, type_checking)


def _owner(name: str, modules: dict[str, Path]) -> str | None:
    """The module of ours that ``name`` (a module, or a name inside one) refers to, if any."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def edges(modules: dict[str, Path]) -> list[Edge]:
    found: list[Edge] = []
    for importer, path in modules.items():
        package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
        for node, type_checking in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                owner = _owner(target, modules)
                if owner is not None and owner != importer:
                    found.append(Edge(importer, owner, node.lineno, type_checking))
    return found


def layer_of(module: str) -> int | None:
    for index, layer in enumerate(LAYERS):
        for prefix in layer:
            # "bot" is the package's own __init__: a new subpackage must be placed in a layer explicitly.
            if module == prefix or (prefix != "bot" and module.startswith(prefix + ".")):
                return index
    return None


def _is_tool(module: str) -> bool:
    return module == TOOL or module.startswith(TOOL + ".")


def upward_imports(found: list[Edge]) -> set[tuple[str, str]]:
    bad: set[tuple[str, str]] = set()
    for edge in found:
        if _is_tool(edge.importer):
            continue
        if _is_tool(edge.imported):
            if edge.importer not in TOOL_USERS:
                bad.add((edge.importer, edge.imported))
            continue
        below, above = layer_of(edge.importer), layer_of(edge.imported)
        assert below is not None and above is not None, f"{edge} is in no layer: add it to LAYERS"
        if above > below:
            bad.add((edge.importer, edge.imported))
    return bad


def unit_of(module: str) -> str:
    """The package a module belongs to for the package-cycle rule; top-level modules stand alone."""
    parts = module.split(".")
    if parts[0] == "bot" and len(parts) >= 2 and (ROOT / "bot" / parts[1]).is_dir():
        return ".".join(parts[:2])
    if parts[0] == "bot":
        return module
    return parts[0]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def runtime_graph(found: list[Edge], allowed: set[tuple[str, str]], unit: bool = False) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for edge in found:
        if edge.type_checking or (edge.importer, edge.imported) in allowed:
            continue
        a, b = (unit_of(edge.importer), unit_of(edge.imported)) if unit else (edge.importer, edge.imported)
        if a != b:
            graph.setdefault(a, set()).add(b)
    return graph


def _show(bad: set[tuple[str, str]], found: list[Edge]) -> str:
    where = {(e.importer, e.imported): e.line for e in found}
    return "\n".join(f"  {a} → {b} (line {where[a, b]})" for a, b in sorted(bad))


# --- the rules ---------------------------------------------------------------------------------------


def test_dependencies_point_down_the_layers() -> None:
    found = edges(our_modules())
    bad = upward_imports(found)
    assert not bad - ALLOWED_UPWARD, "upward imports:\n" + _show(bad - ALLOWED_UPWARD, found)
    assert not ALLOWED_UPWARD - bad, f"fixed, delete from ALLOWED_UPWARD: {sorted(ALLOWED_UPWARD - bad)}"


def test_no_import_cycle_between_modules() -> None:
    found = edges(our_modules())
    assert cycles(runtime_graph(found, ALLOWED_CYCLE_EDGES)) == []
    runtime = {(e.importer, e.imported) for e in found if not e.type_checking}
    stale = {edge for edge in ALLOWED_CYCLE_EDGES if edge not in runtime}
    assert not stale, f"gone, delete from ALLOWED_CYCLE_EDGES: {sorted(stale)}"
    for edge in ALLOWED_CYCLE_EDGES:
        assert cycles(runtime_graph(found, ALLOWED_CYCLE_EDGES - {edge})), f"no cycle without {edge}: delete it"


def test_no_import_cycle_between_packages() -> None:
    assert cycles(runtime_graph(edges(our_modules()), ALLOWED_CYCLE_EDGES | ALLOWED_UPWARD, unit=True)) == []


def test_the_top_of_bot_holds_only_entry_points_and_wiring() -> None:
    top = sorted(path.name for path in (ROOT / "bot").glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


# --- the checker itself ------------------------------------------------------------------------------


def test_the_scan_sees_lazy_relative_and_type_checking_imports(tmp_path: Path) -> None:
    source = """
from typing import TYPE_CHECKING
from . import sibling
if TYPE_CHECKING:
    from bot.features.services import Services
def later():
    import bot.delivery.engine
"""
    tree = ast.parse(source)
    found = [(node.lineno, tc) for node, tc in _imports(tree)]
    assert found == [(2, False), (3, False), (5, True), (7, False)]


def test_an_upward_import_and_a_cycle_are_caught() -> None:
    up = [Edge("storage.digests", "bot.features.reading", 1, True)]
    assert upward_imports(up) == {("storage.digests", "bot.features.reading")}
    assert upward_imports([Edge("bot.features.reading", "storage.digests", 1, False)]) == set()
    assert upward_imports([Edge("handlers.common", "bot.sandbox.server", 1, False)]) == {
        ("handlers.common", "bot.sandbox.server")
    }
    loop = [Edge("bot.render.a", "bot.render.b", 1, False), Edge("bot.render.b", "bot.render.a", 1, False)]
    assert cycles(runtime_graph(loop, set())) == [["bot.render.a", "bot.render.b"]]
    assert cycles(runtime_graph([*loop[:1], Edge("bot.render.b", "bot.render.a", 1, True)], set())) == []
