"""The house drawn from its imports: rooms, floors, arrows, arrows back up, circles.

A room is a package directly under `oreledger` (an app, `config`), or `cli` for the command
line (`cli.py`, `__main__.py`). An arrow is "room A imports room B", found with `ast` in the
shipped code (`tests/` packages are left out: a test may reach anywhere to check the whole).
Each import statement is one of three kinds:

- `module`: runs when its module is imported (top level, class bodies, module-level blocks);
- `local`: inside a function, runs when the function is called (how a cycle hides);
- `typing`: under `if TYPE_CHECKING:`, read by mypy only.

All three count: a deferred or type-only import is still a dependency a reader must follow.
Floors are layers by longest path: the rooms that import nothing are floor 0, every other
room stands one floor above the highest room it imports. Where rooms import each other in a
circle, the fewest arrows that must point back up are set aside first (an exact search over
the orders of each circle's rooms), and the floors are computed without them.

`python -m testkit.floorplan [SRC]` prints the drawing of SRC (default: this checkout's
src/oreledger). `oreledger/core/tests/test_structure.py` holds the house to it.
"""

from __future__ import annotations

import argparse
import ast
import itertools
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = "oreledger"
# This checkout's src directory (testkit sits beside the package).
SRC = Path(__file__).resolve().parent.parent
KINDS = ("module", "local", "typing")


@dataclass(frozen=True)
class Import:
    """One import statement of one module: who imports what, where, and when it runs."""

    source: str
    target: str
    path: Path
    line: int
    kind: str

    @property
    def where(self) -> str:
        """`app/module.py:line`, relative to the package."""
        parts = self.path.parts
        start = len(parts) - 1 - parts[::-1].index(PACKAGE) if PACKAGE in parts else 0
        return f"{'/'.join(parts[start + 1 :])}:{self.line}"


def module_name(root: Path, path: Path) -> str:
    """`oreledger.app.module` of a file under the package root."""
    relative = path.relative_to(root.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def room_of(module: str) -> str | None:
    """The room of a module of the package (None outside it, or for the package itself)."""
    parts = module.split(".")
    if parts[0] != PACKAGE or len(parts) < 2:
        return None
    return "cli" if parts[1] == "__main__" else parts[1]


def shipped_files(root: Path, *, with_tests: bool = False) -> Iterator[Path]:
    """The package's Python files, without `tests/` packages unless asked."""
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).parts
        if not with_tests and "tests" in relative[:-1]:
            continue
        yield path


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, path: Path, is_package: bool, known: set[str]) -> None:
        self.module = module
        self.known = known
        self.path = path
        self.package = module if is_package else module.rpartition(".")[0]
        self.depth = 0
        self.typing = 0
        self.found: list[Import] = []

    def _kind(self) -> str:
        if self.depth:
            return "local"
        return "typing" if self.typing else "module"

    def _add(self, target: str, node: ast.stmt) -> None:
        self.found.append(Import(self.module, target, self.path, node.lineno, self._kind()))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            anchor = self.package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            # `from package import module` imports that module; any other name is its module's.
            submodule = f"{base}.{alias.name}"
            self._add(submodule if submodule in self.known else base, node)

    def _nested(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = _nested
    visit_AsyncFunctionDef = _nested
    visit_Lambda = _nested

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        guarded = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        )
        if not guarded:
            self.generic_visit(node)
            return
        self.visit(test)
        self.typing += 1
        for child in node.body:
            self.visit(child)
        self.typing -= 1
        for child in node.orelse:
            self.visit(child)


def imports_of(root: Path, *, with_tests: bool = False) -> list[Import]:
    """Every import statement of the package's files that names a module of the package."""
    found: list[Import] = []
    known = {module_name(root, path) for path in root.rglob("*.py")}
    for path in shipped_files(root, with_tests=with_tests):
        module = module_name(root, path)
        collector = _Collector(module, path, path.name == "__init__.py", known)
        collector.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        # One statement naming several things of one module is one import of that module.
        found.extend(dict.fromkeys(i for i in collector.found if room_of(i.target) is not None))
    return found


@dataclass
class FloorPlan:
    """Rooms, the arrows between them (with their import statements), floors and circles."""

    rooms: list[str]
    arrows: dict[tuple[str, str], list[Import]]
    floors: dict[str, int] = field(default_factory=dict)
    back_up: list[tuple[str, str]] = field(default_factory=list)
    # One circle per arrow back up: that arrow and the shortest way down back to its source.
    circles: list[list[str]] = field(default_factory=list)
    # Rooms that all reach each other (strongly connected), however many circles tie them.
    tangles: list[list[str]] = field(default_factory=list)
    # Circles between modules of one room (files importing each other), per room.
    inner_circles: dict[str, list[list[str]]] = field(default_factory=dict)

    @property
    def floor_count(self) -> int:
        """How many floors the rooms stand on."""
        return max(self.floors.values(), default=-1) + 1

    def targets(self, room: str) -> list[str]:
        """The rooms one room imports."""
        return sorted(b for a, b in self.arrows if a == room)


def _strongly_connected(nodes: Iterable[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            components.append(sorted(component))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return components


def _fewest_back(component: list[str], weight: dict[tuple[str, str], int]) -> set[tuple[str, str]]:
    """The arrows inside one tangle that must point back up, fewest import statements first.

    Rooms are stacked from the bottom; placing a room above others turns every arrow from
    those others into it into an arrow back up. The best stacking is found exactly by
    dynamic programming over the subsets of the tangle's rooms.
    """
    rooms = sorted(component)
    inside = {(a, b): w for (a, b), w in weight.items() if a in component and b in component}
    best: dict[frozenset[str], tuple[int, int, tuple[str, ...]]] = {frozenset(): (0, 0, ())}
    for size in range(1, len(rooms) + 1):
        for subset in itertools.combinations(rooms, size):
            placed = frozenset(subset)
            choices = []
            for top in subset:
                below = placed - {top}
                statements, arrows, order = best[below]
                back = [w for (a, b), w in inside.items() if b == top and a in below]
                choices.append((statements + sum(back), arrows + len(back), (*order, top)))
            best[placed] = min(choices)
    order = best[frozenset(rooms)][2]
    position = {room: i for i, room in enumerate(order)}
    return {(a, b) for a, b in inside if position[b] > position[a]}


def _shortest_way(source: str, target: str, edges: dict[str, set[str]]) -> list[str]:
    """The shortest chain of arrows from source to target (breadth first)."""
    previous: dict[str, str | None] = {source: None}
    queue = [source]
    while queue:
        node = queue.pop(0)
        if node == target:
            break
        for nxt in sorted(edges.get(node, ())):
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    way: list[str] = []
    node: str | None = target
    while node is not None:
        way.append(node)
        node = previous[node]
    return way[::-1]


def draw(
    root: Path, *, with_tests: bool = False, leave_out: Callable[[Import], bool] | None = None
) -> FloorPlan:
    """The floor plan of the package at `root` (the `oreledger` directory), without the
    import statements `leave_out` names (a known exception, while it lasts)."""
    imports = [
        i for i in imports_of(root, with_tests=with_tests) if leave_out is None or not leave_out(i)
    ]
    modules = [module_name(root, path) for path in shipped_files(root, with_tests=with_tests)]
    rooms = sorted({room for module in modules if (room := room_of(module))})
    arrows: dict[tuple[str, str], list[Import]] = defaultdict(list)
    inside: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for imp in imports:
        a, b = room_of(imp.source), room_of(imp.target)
        assert a is not None and b is not None
        if a != b:
            arrows[(a, b)].append(imp)
        elif imp.source != imp.target and not imp.source.startswith(imp.target + "."):
            inside[a][imp.source].add(imp.target)
    plan = FloorPlan(rooms, dict(sorted(arrows.items())))
    edges: dict[str, set[str]] = defaultdict(set)
    for a, b in plan.arrows:
        edges[a].add(b)
    weight = {pair: len(found) for pair, found in plan.arrows.items()}
    set_aside: set[tuple[str, str]] = set()
    for component in _strongly_connected(rooms, edges):
        if len(component) > 1:
            set_aside |= _fewest_back(component, weight)
    below = {r: {b for b in edges[r] if (r, b) not in set_aside} for r in rooms}

    def floor(room: str, seen: tuple[str, ...] = ()) -> int:
        if room in plan.floors:
            return plan.floors[room]
        value = 1 + max((floor(b, (*seen, room)) for b in below[room]), default=-1)
        plan.floors[room] = value
        return value

    for room in rooms:
        floor(room)
    plan.back_up = sorted((a, b) for a, b in plan.arrows if plan.floors[b] >= plan.floors[a])
    plan.tangles = [c for c in _strongly_connected(rooms, edges) if len(c) > 1]
    for a, b in plan.back_up:
        circle = _shortest_way(b, a, edges)
        start = circle.index(min(circle))
        circle = circle[start:] + circle[:start]
        if circle not in plan.circles:
            plan.circles.append(circle)
    for room, graph in sorted(inside.items()):
        nodes = set(graph) | {t for ts in graph.values() for t in ts}
        found = [c for c in _strongly_connected(nodes, graph) if len(c) > 1]
        if found:
            plan.inner_circles[room] = found
    return plan


def _kinds(found: list[Import]) -> str:
    counts = {kind: sum(1 for i in found if i.kind == kind) for kind in KINDS}
    return ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)


def render(plan: FloorPlan, *, title: str = "") -> str:
    """The drawing as text: a summary line, the floors from the top, then what is wrong."""
    statements = [i for found in plan.arrows.values() for i in found]
    lines = [
        title or "floor plan",
        f"{len(plan.rooms)} rooms on {plan.floor_count} floors, {len(plan.arrows)} arrows "
        f"({len(statements)} import statements: {_kinds(statements)}), "
        f"{len(plan.back_up)} back up, {len(plan.circles)} circles between rooms, "
        f"{sum(len(c) for c in plan.inner_circles.values())} circles inside rooms",
        "",
    ]
    width = max((len(r) for r in plan.rooms), default=4)
    for level in range(plan.floor_count - 1, -1, -1):
        for room in sorted(r for r in plan.rooms if plan.floors[r] == level):
            targets = []
            for target in sorted(plan.targets(room), key=lambda t: (-plan.floors[t], t)):
                mark = " ↑" if (room, target) in plan.back_up else ""
                targets.append(f"{target}{mark} ({_kinds(plan.arrows[(room, target)])})")
            lines.append(
                f"floor {level:>2}  {room:<{width}}  → " + (", ".join(targets) or "(nothing)")
            )
    lines.append("")
    lines.append(f"arrows back up ({len(plan.back_up)}):")
    for a, b in plan.back_up:
        found = plan.arrows[(a, b)]
        where = ", ".join(f"{i.where} ({i.kind})" for i in found)
        lines.append(f"  {a} (floor {plan.floors[a]}) → {b} (floor {plan.floors[b]}): {where}")
    lines.append(f"circles between rooms ({len(plan.circles)}):")
    for circle in plan.circles:
        lines.append("  " + " → ".join([*circle, circle[0]]))
    lines.append(f"tangles, rooms that all reach each other ({len(plan.tangles)}):")
    for tangle in plan.tangles:
        lines.append("  " + ", ".join(tangle))
    lines.append(f"circles inside rooms ({sum(len(c) for c in plan.inner_circles.values())}):")
    for room, circles in plan.inner_circles.items():
        for circle in circles:
            names = [m.removeprefix(f"{PACKAGE}.{room}.") for m in circle]
            lines.append(f"  {room}: " + " ↔ ".join(names))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the drawing of a source tree."""
    parser = argparse.ArgumentParser(prog="python -m testkit.floorplan", description=__doc__)
    parser.add_argument(
        "src",
        nargs="?",
        type=Path,
        default=SRC,
        help="the directory holding the oreledger package (default: this checkout's src)",
    )
    parser.add_argument("--with-tests", action="store_true", help="count tests/ packages too")
    args = parser.parse_args(argv)
    root = args.src / PACKAGE if (args.src / PACKAGE).is_dir() else args.src
    print(render(draw(root, with_tests=args.with_tests), title=f"floor plan of {root}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
