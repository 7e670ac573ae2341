"""The layers, read from the source: every chapter imports only what its own or an earlier chapter exports (the
package's `__init__`, which re-exports the main API, is the one exception), the library never imports the
application nor `subprocess`, `resource` or `matplotlib`, no module imports another's `_private` names, and the
modules import each other without a cycle."""
import ast
import json
import re
from pathlib import Path

import pytest

import batchbald_redux

ROOT = Path(__file__).resolve().parent.parent
NBS, PACKAGE = ROOT / "nbs", ROOT / "batchbald_redux"
MODULE_FILES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "_modidx.py")
LIBRARY_FILES = [p for p in MODULE_FILES if p.parent == PACKAGE and p.name != "__init__.py"]
FORBIDDEN_IN_LIBRARY = ("batchbald_redux.app", "subprocess", "resource", "matplotlib")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(path: Path) -> str:
    "The package a module's relative imports start from."
    return module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]


def imports_of(tree: ast.AST, package: str) -> list:
    "`(module, names)` of every import statement in `tree`, relative imports resolved against `package`."
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.append((module, [alias.name for alias in node.names]))
    return found


def package_modules(module: str, names: list) -> set:
    "The package's modules an import statement loads (`from batchbald_redux import oracle` loads `oracle`)."
    if not module.startswith("batchbald_redux"):
        return set()
    known = {module_name(p) for p in MODULE_FILES}
    loaded = {f"{module}.{name}" for name in names if f"{module}.{name}" in known}
    return loaded | ({module} if module != "batchbald_redux" or len(loaded) < len(names) else set())


def chapters() -> list:
    "`(number, notebook path, exported module)` of every numbered chapter, in order."
    found = []
    for path in sorted(NBS.glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        exported = next((m.group(1) for c in cells if c["cell_type"] == "code"
                         for m in [re.search(r"^#\|\s*default_exp\s+(\S+)", "".join(c["source"]), re.M)] if m), None)
        found.append((int(path.name[:2]), path, f"batchbald_redux.{exported}".removesuffix(".__init__") if exported else None))
    return found


def chapter_imports(path: Path) -> set:
    "The package's modules imported anywhere in a notebook's code cells (old paths resolved to where they moved)."
    loaded = set()
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        code = "\n".join(line for line in "".join(cell["source"]).splitlines() if not line.lstrip().startswith(("%", "!")))
        for module, names in imports_of(ast.parse(code), "batchbald_redux"):
            loaded |= package_modules(module, names)
    return {batchbald_redux.MOVED_MODULES.get(module, module) for module in loaded}


CHAPTERS = chapters()


def test_every_module_is_exported_by_exactly_one_chapter():
    exported = [module for _, _, module in CHAPTERS if module]
    assert sorted(exported) == sorted({module_name(p) for p in MODULE_FILES} - {"batchbald_redux.app"})


@pytest.mark.parametrize("number, path, _", CHAPTERS, ids=[path.stem for _, path, _ in CHAPTERS])
def test_a_chapter_imports_nothing_a_later_chapter_exports(number, path, _):
    exporter = {module: n for n, _, module in CHAPTERS if module}
    later = sorted(m for m in chapter_imports(path) if m != "batchbald_redux" and exporter.get(m, -1) > number)
    assert not later, f"{path.name} imports {later}, exported by later chapters"


@pytest.mark.parametrize("path", LIBRARY_FILES, ids=[p.stem for p in LIBRARY_FILES])
def test_the_library_never_imports_the_application(path):
    modules = [module for module, _ in imports_of(ast.parse(path.read_text()), package_of(path))]
    bad = sorted({m for m in modules if m.startswith(FORBIDDEN_IN_LIBRARY)})
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", MODULE_FILES, ids=[module_name(p) for p in MODULE_FILES])
def test_no_module_imports_another_modules_private_names(path):
    private = [(module, name) for module, names in imports_of(ast.parse(path.read_text()), package_of(path))
               if module.startswith("batchbald_redux") and module != module_name(path)  # its own, for a fresh process
               for name in names if name.startswith("_") and not name.startswith("__")]
    assert not private, f"{path.name} imports {private}"


def test_no_import_cycle():
    graph = {}
    for path in MODULE_FILES:
        tree = ast.parse(path.read_text())
        top_level = ast.Module(body=[n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))], type_ignores=[])
        graph[module_name(path)] = set().union(*(package_modules(m, n) for m, n in imports_of(top_level, package_of(path)))) - {"batchbald_redux"}
    done, path = set(), []

    def visit(module):
        if module in path:
            raise AssertionError(f"import cycle: {' -> '.join(path[path.index(module):] + [module])}")
        if module in done:
            return
        path.append(module)
        for imported in sorted(graph.get(module, ())):
            visit(imported)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
