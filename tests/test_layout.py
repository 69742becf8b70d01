"""The layout's rules, read from the imports themselves (README, "Architecture").

Dependencies point one way: handlers → bot → db. Only the wiring point (bot/app.py) knows
the handlers, only the demo starts the sandbox, handler modules do not import each other,
and no module imports one that imports it back (at run time; imports under TYPE_CHECKING
only serve the type checker). In tests/, a test module does not import another: what two
share lives in a helper module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PACKAGES = ("bot", "handlers", "db")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (n for child in node.orelse for n in _runtime_imports_of(child))
            continue
        yield from _runtime_imports_of(node)


def _runtime_imports_of(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
        return
    if isinstance(node, ast.If) and _is_type_checking(node):
        return
    yield from _runtime_imports(node)


def _resolve(name: str) -> str | None:
    """The project module an imported name lives in (a module, or a package's __init__)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> set[str]:
    """The project modules `module` imports at run time."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in _runtime_imports(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif node.module is None:
            continue
        else:  # `from a.b import c` may import the module a.b.c or the name c of a.b
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        for name in names:
            target = _resolve(name)
            if target is not None and target != module:
                found.add(target)
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_walk_sees_the_imports_it_must_judge() -> None:
    """A rule over an empty graph proves nothing: the walk finds known edges."""
    assert "handlers" in GRAPH["bot.app"]
    assert "bot.telegram.html" in GRAPH["bot.delivery.render"]
    assert "db.models" in GRAPH["db.queries.outbox"]
    assert "bot.sandbox" in GRAPH["bot.cli.demo"]


def test_no_import_cycles() -> None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                cycle = [*path[path.index(target) :], target]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


def test_only_the_demo_starts_the_sandbox() -> None:
    users = {
        module
        for module, targets in GRAPH.items()
        if not _in(module, "bot.sandbox") and any(_in(t, "bot.sandbox") for t in targets)
    }
    assert users == {"bot.cli.demo"}


def test_only_the_wiring_point_knows_the_handlers() -> None:
    users = {
        module
        for module, targets in GRAPH.items()
        if not _in(module, "handlers") and any(_in(t, "handlers") for t in targets)
    }
    assert users == {"bot.app"}


def test_handler_modules_do_not_import_each_other() -> None:
    for module, targets in GRAPH.items():
        if _in(module, "handlers") and module != "handlers":
            assert not [t for t in targets if _in(t, "handlers")], module


def test_the_database_layer_knows_nothing_above_it() -> None:
    for module, targets in GRAPH.items():
        if _in(module, "db"):
            assert not [t for t in targets if _in(t, "bot") or _in(t, "handlers")], module


def test_handlers_leave_the_event_log_to_the_services() -> None:
    """Every audit event is written by a bot/ service, never by a handler itself."""
    for module, path in MODULES.items():
        if _in(module, "handlers"):
            assert "record_event" not in path.read_text(encoding="utf-8"), module


# tests/ ---------------------------------------------------------------------------------------


def imported_test_modules(source: str) -> set[str]:
    """The tests/test_*.py modules `source` (a module of tests/) imports, wherever the import
    stands: at the top, in a function, under TYPE_CHECKING, relative or absolute."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # `from . import test_x`, `from .test_x import y`: within tests/
                module = f"tests.{module}" if module else "tests"
            names = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if len(parts) > 1 and parts[0] == "tests" and parts[1].startswith("test_"):
                found.add(".".join(parts[:2]))
    return found


TEST_MODULES = {_module_name(path): path for path in sorted((ROOT / "tests").glob("test_*.py"))}


@pytest.mark.parametrize(
    "source",
    [
        "import tests.test_cli",
        "import tests.test_cli as cli",
        "from tests.test_cli import run",
        "from tests import helpers, test_cli",
        "from . import test_cli",
        "from .test_cli import run",
        "def later() -> None:\n    from tests.test_cli import run\n",
        "if TYPE_CHECKING:\n    import tests.test_cli\n",
    ],
    ids=[
        "import",
        "import-as",
        "from",
        "from-package",
        "relative",
        "relative-from",
        "in-a-function",
        "type-checking",
    ],
)
def test_the_walk_sees_every_way_to_import_a_test_module(source: str) -> None:
    assert imported_test_modules(source) == {"tests.test_cli"}


def test_the_walk_lets_helper_modules_be_imported() -> None:
    source = "import tests\nfrom tests import helpers\nfrom tests.helpers import eventually\n"
    assert imported_test_modules(source) == set()
    assert "tests.test_layout" in TEST_MODULES


def test_test_modules_do_not_import_each_other() -> None:
    """A helper two test modules share lives in a helper module (tests/helpers.py and its
    like), not in one of them: a test module can then change or go without breaking another,
    and running one test file does not load another."""
    importers = {
        module: sorted(targets)
        for module, path in TEST_MODULES.items()
        if (targets := imported_test_modules(path.read_text(encoding="utf-8")) - {module})
    }
    assert importers == {}
