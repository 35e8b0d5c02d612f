"""The arrows between the rooms, held by a test (DESIGN.md, "The rooms").

Every ``.py`` file of the four rooms (tests and migrations aside) is parsed with ``ast``; every
import is collected, those inside functions too, relative ones resolved. ``from a.b import c``
counts as importing ``a.b.c`` when that is a module, else as importing ``a.b`` (so a package
``__init__`` that re-exports names is one node, not all of its submodules).

Pure and fast: it reads source text only (no database, nothing imported from the project).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ROOMS = ("integrations", "erp_adapters", "procore_sandbox", "portal", "selfservice")

# Who may not import whom: (importer prefix, forbidden imported prefixes, why).
# A prefix matches the module itself and everything below it.
FORBIDDEN_ARROWS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "procore_sandbox",
        ("integrations", "erp_adapters"),
        "the sandbox is a fake Procore, reached only over HTTP or through its own commands",
    ),
    (
        "erp_adapters",
        ("integrations", "procore_sandbox"),
        "an adapter learns what it needs from what it is handed; it knows nothing of the domain",
    ),
    (
        "integrations",
        ("procore_sandbox",),
        "the domain talks to the sandbox only over HTTP or through its management commands",
    ),
    (
        "integrations.procore",
        (
            "portal",
            "integrations.services",
            "integrations.admin",
            "integrations.api",
            "integrations.handlers",
            "integrations.tasks",
            "integrations.enqueue",
        ),
        "the Procore client is called by the services; it knows neither them nor the project",
    ),
    (
        "integrations.services",
        ("integrations.tasks", "integrations.admin", "integrations.api"),
        "services never import tasks (they enqueue through integrations.enqueue, by dotted path) "
        "nor the views and admin that call them",
    ),
    (
        "integrations.selectors",
        (
            "integrations.services",
            "integrations.tasks",
            "integrations.enqueue",
            "integrations.admin",
            "integrations.api",
            "integrations.handlers",
        ),
        "selectors only read: services, views, admin and tasks call them, never the reverse",
    ),
    (
        "integrations.enqueue",
        ("integrations.tasks", "integrations.services", "integrations.handlers"),
        "the enqueue module knows only django-q2 and names tasks by dotted path",
    ),
    (
        "integrations",
        ("selfservice",),
        "the domain knows nothing of the self-service pages that call it",
    ),
    (
        "selfservice",
        (
            "procore_sandbox",
            "integrations.tasks",
            "integrations.admin",
            "integrations.api",
            "integrations.handlers",
            "integrations.procore",
        ),
        "the self-service pages act through the domain's services and read through selectors; "
        "they never run tasks, reach Procore or the sandbox themselves",
    ),
    (
        "selfservice.selectors",
        (
            "selfservice.services",
            "selfservice.views",
            "integrations.services",
            "integrations.enqueue",
        ),
        "the portal's selectors only read",
    ),
    (
        "selfservice.views",
        ("integrations.models.managers", "django.db.models"),
        "views are thin: no queries of their own (they call selectors)",
    ),
    (
        "integrations.models",
        (
            "integrations.services",
            "integrations.selectors",
            "integrations.tasks",
            "integrations.handlers",
            "integrations.admin",
            "integrations.api",
        ),
        "models are below everything that uses them",
    ),
)

# The engine finds handlers by name: only the registry is imported outside the handlers package
# (the app imports every handler module when it is ready, through the registry).
HANDLER_ENTRY = "integrations.handlers.registry"

# Import edges (importer, imported) allowed to close a cycle among ``integrations.*``: none.
# Should one ever be listed while a cycle is being taken apart, it must leave the list with it:
# ``test_known_cycle_edges_are_still_needed`` fails when an edge here no longer exists or no
# longer closes a cycle.
KNOWN_CYCLE_EDGES: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    path: Path
    line: int

    def describe(self, root: Path) -> str:
        return f"{self.path.relative_to(root)}:{self.line} imports {self.imported}"


def _is_excluded(relative: Path) -> bool:
    parts = relative.parts
    return (
        "migrations" in parts
        or "tests" in parts
        or relative.name.startswith("test_")
        or relative.name == "conftest.py"
    )


def _module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def discover(root: Path, rooms: Iterable[str]) -> dict[str, Path]:
    """Module name -> file, for every module of the rooms that is neither a test nor a migration."""
    modules: dict[str, Path] = {}
    for room in rooms:
        for path in sorted((root / room).rglob("*.py")):
            relative = path.relative_to(root)
            if not _is_excluded(relative):
                modules[_module_name(relative)] = path
    return modules


def _resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    package = module if is_package else module.rpartition(".")[0]
    parts = package.split(".") if package else []
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    base = ".".join(parts)
    if name:
        return f"{base}.{name}" if base else name
    return base


_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def _statements(body: list[ast.AST]) -> Iterable[ast.AST]:
    """Every statement, nested ones too (functions, classes, ``if``, ``try``, ``with``, ...).

    Imports are statements, so expressions need not be walked; this is what keeps the test fast.
    """
    todo = list(reversed(body))
    while todo:
        node = todo.pop()
        yield node
        for field in _BLOCKS:
            children = getattr(node, field, None)
            if children:
                todo.extend(reversed(children))


def imports_of(module: str, path: Path, known: Mapping[str, Path] | set[str]) -> list[Import]:
    """Every import in the file, wherever it sits (module level, functions, ``if`` blocks)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: list[Import] = []
    for node in _statements(tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(module, alias.name, path, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _resolve_relative(module, is_package, node.level, node.module)
            else:
                base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}" if base else alias.name
                target = candidate if candidate in known else base
                found.append(Import(module, target, path, node.lineno))
    return list(dict.fromkeys(found))  # ``from a import b, c`` is one import of ``a``


def _matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def forbidden_imports(
    imports: Iterable[Import],
    arrows: Iterable[tuple[str, tuple[str, ...], str]] = FORBIDDEN_ARROWS,
) -> list[tuple[Import, str]]:
    """Each import that one of the arrows forbids, with the forbidden prefix it hit."""
    arrows = list(arrows)
    hits = []
    for imp in imports:
        for importer, forbidden, _why in arrows:
            if not _matches(imp.importer, importer):
                continue
            for prefix in forbidden:
                if _matches(imp.imported, prefix):
                    hits.append((imp, prefix))
    return hits


def strongly_connected_components(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; each component's nodes sorted, components sorted."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    nodes = sorted(set(graph) | {n for targets in graph.values() for n in targets})
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = lowlink[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = lowlink[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph.get(succ, ())))))
                    advanced = True
                    break
                if succ in on_stack:
                    lowlink[node] = min(lowlink[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                lowlink[parent] = min(lowlink[parent], lowlink[node])
            if lowlink[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return sorted(components)


def cycles(
    edges: Iterable[tuple[str, str]], ignored: Iterable[tuple[str, str]] = ()
) -> list[list[str]]:
    """The groups of modules that import one another (directly or round about)."""
    ignored = set(ignored)
    graph: dict[str, set[str]] = {}
    for importer, imported in edges:
        if (importer, imported) not in ignored:
            graph.setdefault(importer, set()).add(imported)
    return [
        component
        for component in strongly_connected_components(graph)
        if len(component) > 1 or component[0] in graph.get(component[0], ())
    ]


def _reaches(graph: Mapping[str, Iterable[str]], start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        for succ in graph.get(node, ()):
            if succ not in seen:
                seen.add(succ)
                todo.append(succ)
    return False


@cache
def project_imports() -> tuple[Import, ...]:
    modules = discover(REPO, ROOMS)
    found: list[Import] = []
    for module, path in modules.items():
        found.extend(imports_of(module, path, modules))
    return tuple(found)


def integrations_imports() -> list[Import]:
    return [
        imp
        for imp in project_imports()
        if _matches(imp.importer, "integrations")
        and _matches(imp.imported, "integrations")
        and imp.importer != imp.imported
    ]


def integrations_edges() -> set[tuple[str, str]]:
    return {(imp.importer, imp.imported) for imp in integrations_imports()}


# ---------------------------------------------------------------------------------------------
# The project


def test_the_rooms_are_scanned():
    modules = {imp.importer for imp in project_imports()}
    for expected in (
        "integrations.procore.client",
        "integrations.services.webhooks",
        "erp_adapters.demo.adapter",
        "procore_sandbox.services.tenants",
        "portal.logging",
    ):
        assert expected in modules


@pytest.mark.parametrize(
    "importer, forbidden, why",
    FORBIDDEN_ARROWS,
    ids=[f"{importer}-must-not-import" for importer, _, _ in FORBIDDEN_ARROWS],
)
def test_no_forbidden_arrow(importer, forbidden, why):
    hits = forbidden_imports(project_imports(), [(importer, forbidden, why)])
    assert not hits, f"{importer} must not import {', '.join(forbidden)} ({why}):\n" + "\n".join(
        f"  {imp.describe(REPO)} (forbidden: {prefix})" for imp, prefix in hits
    )


def test_only_the_registry_of_the_handlers_is_imported_from_outside_them():
    outside = [
        imp
        for imp in project_imports()
        if _matches(imp.imported, "integrations.handlers")
        and not _matches(imp.importer, "integrations.handlers")
        and imp.imported not in (HANDLER_ENTRY, "integrations.handlers")
    ]
    assert not outside, "import handlers only through the registry:\n" + "\n".join(
        f"  {imp.describe(REPO)}" for imp in outside
    )


def test_no_import_cycle_among_integrations_modules():
    found = cycles(integrations_edges(), ignored=KNOWN_CYCLE_EDGES)
    report = []
    for component in found:
        members = set(component)
        report.append("  cycle: " + ", ".join(component))
        report.extend(
            f"    {imp.describe(REPO)}"
            for imp in integrations_imports()
            if imp.importer in members
            and imp.imported in members
            and (imp.importer, imp.imported) not in KNOWN_CYCLE_EDGES
        )
    assert not found, (
        "Import cycles among integrations modules (break each on one side; see STYLE.md, "
        "tasks call services):\n" + "\n".join(report)
    )


def test_known_cycle_edges_are_still_needed():
    """An allowlisted edge that is gone, or that no longer closes a cycle, must leave the list."""
    edges = integrations_edges()
    graph: dict[str, set[str]] = {}
    for importer, imported in edges:
        graph.setdefault(importer, set()).add(imported)
    stale = [
        f"  {importer} -> {imported}: "
        + ("no longer imported" if (importer, imported) not in edges else "closes no cycle")
        for importer, imported in sorted(KNOWN_CYCLE_EDGES)
        if (importer, imported) not in edges or not _reaches(graph, imported, importer)
    ]
    assert not stale, "Remove from KNOWN_CYCLE_EDGES:\n" + "\n".join(stale)


# ---------------------------------------------------------------------------------------------
# The checks themselves, on synthetic input: a check that cannot fail is a defect.


def test_cycle_finder_reports_a_synthetic_cycle():
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("e", "e")]
    assert cycles(edges) == [["a", "b", "c"], ["e"]]
    assert cycles(edges, ignored=[("c", "a"), ("e", "e")]) == []
    assert cycles([("a", "b"), ("b", "c")]) == []


def test_collector_and_arrow_check_report_a_synthetic_forbidden_import(tmp_path):
    files = {
        "procore_sandbox/__init__.py": "",
        "procore_sandbox/views.py": (
            "def view():\n    from integrations.models import Company\n    return Company\n"
        ),
        "integrations/__init__.py": "",
        "integrations/models/__init__.py": "from .company import Company\n",
        "integrations/models/company.py": "class Company: ...\n",
        "integrations/procore/__init__.py": "",
        "integrations/procore/client.py": "from ..services import webhooks\n",
        "integrations/procore/attempts.py": "from . import errors\nfrom .. import tasks\n",
        "integrations/procore/errors.py": "",
        "integrations/services/__init__.py": "",
        "integrations/services/webhooks.py": "import integrations.tasks\n",
        "integrations/tasks.py": "if True:\n    from integrations.services.webhooks import x\n",
        "integrations/tests/test_x.py": "import procore_sandbox\n",
        "integrations/migrations/0001_initial.py": "import procore_sandbox\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    modules = discover(tmp_path, ["procore_sandbox", "integrations"])
    assert "integrations.tests.test_x" not in modules
    assert "integrations.migrations.0001_initial" not in modules
    found = [imp for m, p in modules.items() for imp in imports_of(m, p, modules)]
    pairs = {(imp.importer, imp.imported) for imp in found}

    assert ("integrations.models", "integrations.models.company") in pairs
    assert ("procore_sandbox.views", "integrations.models") in pairs  # the package, not Company
    assert ("integrations.procore.client", "integrations.services.webhooks") in pairs
    assert ("integrations.procore.attempts", "integrations.procore.errors") in pairs
    assert ("integrations.procore.attempts", "integrations.tasks") in pairs

    hits = {(imp.importer, imp.imported, prefix) for imp, prefix in forbidden_imports(found)}
    assert hits == {
        ("procore_sandbox.views", "integrations.models", "integrations"),
        ("integrations.procore.client", "integrations.services.webhooks", "integrations.services"),
        ("integrations.procore.attempts", "integrations.tasks", "integrations.tasks"),
        ("integrations.services.webhooks", "integrations.tasks", "integrations.tasks"),
    }
    assert cycles(pairs) == [["integrations.services.webhooks", "integrations.tasks"]]
