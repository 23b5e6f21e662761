"""The layout of DESIGN §4, checked on the code: arrows point down, no file imports itself back
through others, and no module outgrows what a reader can hold (~400 lines).

Every import counts, also those inside functions: a lazy import hides a loop, it does not
remove it.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Each layer may import itself and the layers below it, never one above (DESIGN §4).
LAYERS = [
    {"bcpweb", "demo"},
    {"emergency_hq", "drills", "subscriptions", "bulletin"},
    {"alerts", "status_board"},
    {"organizations"},
    {"common"},
]
LAYER_OF = {app: i for i, layer in enumerate(LAYERS) for app in layer}
# Apps of one layer that must not reach each other either.
FORBIDDEN = {
    "alerts": {"bulletin", "emergency_hq", "status_board", "drills", "subscriptions"},
    "status_board": {"alerts", "bulletin", "emergency_hq", "drills", "subscriptions"},
}
# Tables of data are long by nature; they hold no logic.
DATA_MODULES = {"demo/data.py"}
MAX_LINES = 400


@cache
def _modules() -> dict[str, Path]:
    found = {}
    for app in LAYER_OF:
        base = ROOT / app
        if not base.is_dir():
            continue
        for path in base.rglob("*.py"):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts:
                continue
            name = ".".join(rel.with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _resolve(module: str, node: ast.ImportFrom | ast.Import, alias: ast.alias) -> list[str]:
    modules = _modules()
    if isinstance(node, ast.Import):
        return [alias.name]
    package = module if _modules()[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(max(0, node.level - 1)):
        package = package.rpartition(".")[0]
    base = node.module or ""
    if node.level:
        base = f"{package}.{base}".strip(".") if base else package
    candidate = f"{base}.{alias.name}"
    return [candidate if candidate in modules else base]


@cache
def _imports() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for alias in node.names:
                    for target in _resolve(name, node, alias):
                        while target and target not in modules and "." in target:
                            target = target.rpartition(".")[0]
                        if target in modules and target != name:
                            targets.add(target)
        graph[name] = targets
    return graph


def _app(module: str) -> str:
    return module.split(".")[0]


def test_arrows_point_down_only():
    upward = sorted(
        f"{source} -> {target}"
        for source, targets in _imports().items()
        for target in targets
        if LAYER_OF[_app(target)] < LAYER_OF[_app(source)]
    )
    assert upward == [], "imports that run back up:\n" + "\n".join(upward)


def test_alerts_and_the_boards_know_nothing_of_their_senders():
    wrong = sorted(
        f"{source} -> {target}"
        for source, targets in _imports().items()
        for target in targets
        if _app(target) in FORBIDDEN.get(_app(source), ())
    )
    assert wrong == [], "\n".join(wrong)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_file_imports_itself_back_through_others():
    assert _cycles(_imports()) == []


def test_no_two_apps_import_each_other():
    apps: dict[str, set[str]] = {}
    for source, targets in _imports().items():
        apps.setdefault(_app(source), set()).update(
            _app(t) for t in targets if _app(t) != _app(source)
        )
    assert _cycles(apps) == []


def test_the_checker_sees_a_loop_and_an_upward_arrow():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert "alerts.services" in _imports()["bulletin.services"]
    assert "organizations.permissions" in _imports()["alerts.services"]


def test_modules_stay_short_enough_to_read():
    long = sorted(
        f"{path.relative_to(ROOT)}: {lines} lines"
        for path in _modules().values()
        if str(path.relative_to(ROOT)) not in DATA_MODULES
        and (lines := path.read_text(encoding="utf-8").count("\n")) > MAX_LINES
    )
    assert long == [], "\n".join(long)
