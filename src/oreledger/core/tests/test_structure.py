"""The house keeps its floor plan: core imports no app, no circle between apps, one app shape.

The imports are read with `ast` from the shipped code (`testkit.floorplan`; `tests/` packages
are left out, as a test may reach anywhere to check the whole). Every import counts, and each
failure says which kind it is: `module` (runs when the module is imported), `local` (inside a
function: a cycle hidden until the call) or `typing` (under TYPE_CHECKING).
`python -m testkit.floorplan` prints the whole drawing.
"""

from __future__ import annotations

import re
from pathlib import Path

from testkit.floorplan import PACKAGE, SRC, Import, draw, imports_of, room_of

ROOT = SRC / PACKAGE
ARCHITECTURE = SRC.parent / "docs/ARCHITECTURE.md"
# Not domain apps: the settings and the command line have no inner shape; core is the kernel
# (its modules are listed in docs/ARCHITECTURE.md, "The ground floor").
NOT_SHAPED = {"config", "core", "cli"}
# Only Python's cache may sit beside an app's modules.
IGNORED = {"__pycache__"}


def _listed(imports: list[Import]) -> list[str]:
    return [f"{i.where} imports {i.target} ({i.kind})" for i in imports]


def test_core_imports_no_app() -> None:
    # given every import statement of core's modules
    imports = [i for i in imports_of(ROOT) if room_of(i.source) == "core"]
    # when those naming a module outside core are picked
    upward = [i for i in imports if room_of(i.target) != "core"]
    # then there are none: apps register with core, core never asks an app
    assert _listed(upward) == []
    assert imports, "the reader found no import in core at all"


def test_no_import_circle_between_apps() -> None:
    # given the floor plan of the shipped code
    plan = draw(ROOT)
    # then no arrow points back up, so no two apps reach each other
    back_up = [f"{a} → {b}: " + ", ".join(_listed(plan.arrows[(a, b)])) for a, b in plan.back_up]
    assert back_up == []
    assert plan.circles == []
    assert plan.tangles == []


def test_the_floor_plan_sees_a_circle_and_names_its_kind(tmp_path: Path) -> None:
    # given a package where two apps import each other: high imports low twice at module
    # level, low imports high once inside a function
    package = tmp_path / PACKAGE
    for app, body in {
        "core": "",
        "low": "from oreledger.core import x\n\ndef f():\n    from oreledger.high import y\n",
        "high": "from oreledger.low import z\nimport oreledger.low.x\n",
    }.items():
        (package / app).mkdir(parents=True)
        (package / app / "__init__.py").write_text("")
        (package / app / "x.py").write_text(body)
    (package / "__init__.py").write_text("")
    # when it is drawn
    plan = draw(package)
    # then the circle is found, the lighter arrow (fewer statements) pointing back up
    assert plan.circles == [["high", "low"]]
    assert plan.back_up == [("low", "high")]
    assert [i.kind for i in plan.arrows[("low", "high")]] == ["local"]
    assert plan.floors == {"core": 0, "low": 1, "high": 2}


def _backticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _documented_shape() -> tuple[set[str], dict[str, set[str]]]:
    """The modules every app may have, and each app's named domain modules, as
    docs/ARCHITECTURE.md ("App shape") lists them in its two tables."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("\n## App shape", 1)[1].split("\n## ", 1)[0]
    common: set[str] = set()
    named: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 2 or set(cells[0]) <= {"-", " "}:
            continue
        if cells[0].startswith("`"):  # | `module` | what it holds |
            common.update(name.rstrip("/") for name in _backticked(cells[0]))
        elif len(cells) >= 3 and cells[1].startswith("`"):  # | app | `module` | why |
            named.setdefault(cells[0], set()).update(
                name.rstrip("/") for name in _backticked(cells[1])
            )
    return common, named


def _apps(root: Path) -> list[Path]:
    return sorted(
        path for path in root.iterdir() if path.is_dir() and path.name not in NOT_SHAPED | IGNORED
    )


def _strays(root: Path, common: set[str], named: dict[str, set[str]]) -> list[str]:
    """The top-level modules of the apps under `root` that the shape does not name."""
    strays = []
    for app in _apps(root):
        allowed = common | named.get(app.name, set())
        for entry in sorted(app.iterdir()):
            name = entry.name.removesuffix(".py") if entry.suffix == ".py" else entry.name
            if name in IGNORED:
                continue
            if name not in allowed or (entry.is_file() and entry.suffix != ".py"):
                strays.append(f"{app.name}/{entry.name}")
            elif entry.is_dir() and (app / f"{name}.py").exists():
                strays.append(f"{app.name}/{name}.py beside {app.name}/{name}/")
    return strays


def test_every_app_has_only_the_documented_modules() -> None:
    # given the shape docs/ARCHITECTURE.md documents
    common, named = _documented_shape()
    assert {"models", "services", "views", "tests"} <= common
    # when each top-level module or package of each app is looked at
    strays = _strays(ROOT, common, named)
    # then each is one the shape names (a package only once it has several files)
    assert strays == []


def test_the_shape_check_finds_strays(tmp_path: Path) -> None:
    # given an app with a flat views_ module, a module beside its own package, a helper
    for name in ("views.py", "views_cases.py", "helpers.py", "services.py", "models.py"):
        (tmp_path / "shop" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "shop" / name).write_text("")
    (tmp_path / "shop" / "services").mkdir()
    # when the shape is checked
    strays = _strays(tmp_path, {"views", "services", "models"}, {})
    # then each is named
    assert strays == [
        "shop/helpers.py",
        "shop/services.py beside shop/services/",
        "shop/views_cases.py",
    ]


def test_every_documented_domain_module_exists() -> None:
    # given each app's named domain modules in docs/ARCHITECTURE.md
    _common, named = _documented_shape()
    assert named, "the App shape section lists no app's domain modules"
    # then each names a module or package that is there (the list says what the code is)
    missing = [
        f"{app}.{module}"
        for app, modules in sorted(named.items())
        for module in sorted(modules)
        if not (ROOT / app / f"{module}.py").exists() and not (ROOT / app / module).is_dir()
    ]
    assert missing == []
