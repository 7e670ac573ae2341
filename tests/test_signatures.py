"""Every public parameter is typed: each parameter (`self` and `cls` aside) of every public function and class in a
module's `__all__`, and of every public method of those classes, has an annotation, so that `help()`, the docs and a
type checker all know what it takes; and every annotation resolves (a string annotation naming something imported
only for type checkers stops the docs' show_doc). One test per module: `pytest tests/test_signatures.py -k selection`."""
import importlib
import inspect
import pkgutil

import pytest

import batchbald_redux

MODULES = ["batchbald_redux"] + sorted(
    m.name for m in pkgutil.walk_packages(batchbald_redux.__path__, "batchbald_redux.") if not m.name.endswith("_modidx"))


def public_callables(module) -> list:
    "`(label, callable)` of the module's public functions and classes, and of those classes' public methods."
    found = []
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if not callable(obj):
            continue
        found.append((name, obj))
        if inspect.isclass(obj):
            found += [(f"{name}.{m}", f) for m, f in vars(obj).items()
                      if not m.startswith("_") and callable(getattr(obj, m, None))]
    return found


def untyped_parameters(module) -> list:
    untyped = []
    for label, obj in public_callables(module):
        try:
            signature = inspect.signature(obj)
        except (TypeError, ValueError):  # a builtin without a signature
            continue
        untyped += [f"{label}({p.name})" for p in signature.parameters.values()
                    if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty]
    return untyped


def unresolved_annotations(module) -> list:
    "`label: error` of each public callable whose annotations do not evaluate (`inspect.signature(eval_str=True)`)."
    unresolved = []
    for label, obj in public_callables(module):
        try:
            inspect.signature(obj, eval_str=True)
        except (TypeError, ValueError):  # a builtin without a signature
            continue
        except NameError as error:
            unresolved.append(f"{label}: {error}")
    return unresolved


@pytest.mark.parametrize("name", MODULES)
def test_annotations_resolve(name):
    unresolved = unresolved_annotations(importlib.import_module(name))
    assert not unresolved, f"{name}: annotations that do not resolve: {'; '.join(unresolved)}"


@pytest.mark.parametrize("name", MODULES)
def test_public_parameters_are_typed(name):
    untyped = untyped_parameters(importlib.import_module(name))
    assert not untyped, f"{name}: untyped public parameters: {', '.join(untyped)}"


def test_the_check_sees_an_untyped_parameter():
    "The test above would fail on a module with one untyped public parameter."
    import types

    module = types.ModuleType("example")
    exec("def typed(x: int, *, device: 'str | None' = None) -> int: return x\n"
         "def untyped(x: int, device=None) -> int: return x\n", module.__dict__)
    module.__all__ = ["typed", "untyped"]
    assert untyped_parameters(module) == ["untyped(device)"]
    assert unresolved_annotations(module) == []
    exec("def unresolved(ax: 'Axes | None' = None) -> None: pass\n", module.__dict__)
    module.__all__.append("unresolved")
    assert unresolved_annotations(module) == ["unresolved: name 'Axes' is not defined"]
