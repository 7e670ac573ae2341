"""`help()` is the reference: every public function and class of the package shows each parameter with its meaning."""
import importlib
import inspect
import pkgutil
import pydoc
import re

import pytest

import batchbald_redux
from batchbald_redux.core import SHARED_PARAMETERS


def public_callables():
    "(label, object) of every public function and class defined in a module of the package, and their public methods."
    found = []
    for info in pkgutil.walk_packages(batchbald_redux.__path__, "batchbald_redux."):
        if info.ispkg or info.name.rsplit(".", 1)[1].startswith("_"):
            continue
        module = importlib.import_module(info.name)
        label = info.name.removeprefix("batchbald_redux.")
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or obj.__module__ != module.__name__:
                continue
            found.append((f"{label}.{name}", obj))
            if inspect.isclass(obj):
                found += [(f"{label}.{name}.{method}", member) for method, member in vars(obj).items()
                          if inspect.isfunction(member) and not method.startswith("_")]
    return found


def documented_parameters(doc: str) -> dict:
    "name -> meaning, from the numpy-style `Parameters` section of a docstring."
    section = doc.split("Parameters\n----------\n", 1)[1] if "Parameters\n----------\n" in doc else ""
    meanings, name = {}, None
    for line in section.splitlines():
        if line and not line.startswith(" "):
            name = line.split(" : ")[0].lstrip("*")
            meanings[name] = ""
        elif name is not None:
            meanings[name] += line.strip()
    return meanings


def signature_parameters(obj) -> list:
    try:
        parameters = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return []
    return [name for name in parameters if name not in ("self", "cls")]


CALLABLES = public_callables()


def test_there_is_a_lot_to_document():
    assert len(CALLABLES) > 150, len(CALLABLES)


@pytest.mark.parametrize("label, obj", CALLABLES, ids=[label for label, _ in CALLABLES])
def test_every_parameter_has_a_meaning(label, obj):
    names = signature_parameters(obj)
    if inspect.isclass(obj) and getattr(obj.__init__, "__module__", "").split(".")[0] != "batchbald_redux":
        return  # its arguments are those of a base class from elsewhere (nn.Module, UserWarning)
    meanings = documented_parameters(inspect.getdoc(obj) or "")
    missing = [name for name in names if not meanings.get(name)]
    assert not missing, f"{label}: no meaning in help() for {missing}"


@pytest.mark.parametrize("function", ["batchbald.get_batchbald_batch", "consistent_mc_dropout.predict_log_probs", "acquisition.acquire"])
def test_help_shows_every_parameter(function):
    module, name = function.split(".")
    obj = getattr(importlib.import_module(f"batchbald_redux.{module}"), name)
    text = pydoc.render_doc(obj, renderer=pydoc.plaintext)
    for parameter in signature_parameters(obj):
        assert re.search(rf"^\s+\*{{0,2}}{parameter}( : .*)?\n\s+\S", text, re.M), f"{parameter} is not explained in help({name})"


# Where a shared option means something else than SHARED_PARAMETERS says, the signature says so in its own comment.
OWN_MEANINGS = {
    ("acquisition.acquire", "dtype"): "each method has its own default",
    ("batchbald.get_batchbald_batch", "dtype"): "float32 whatever the pool's dtype",
    ("epig.get_batchepig_batch", "dtype"): "float32 whatever the pool's dtype",
    ("pools.repeated_pool", "dtype"): "the dtype of the result",
    ("pools.mc_dropout_like_pool", "dtype"): "the dtype of the result",
    ("consistent_mc_dropout.predict_log_probs", "dtype"): "the dtype of the result",
    ("consistent_mc_dropout.predict_log_probs", "device"): "where the inputs go",
    ("consistent_mc_dropout.predict_log_probs", "progress"): "over the batches, off by default",
    ("app.experiment.run_experiments", "progress"): "over the runs",
    ("app.experiment.train_model", "generator"): "required: the order of the training samples",
    ("app.experiment.acquire_batch", "generator"): "required",
    ("app.benchmark.per_point_batchbald", "generator"): "the sampled regime of one point at a time",
    ("epig.get_batchepig_batch", "num_samples"): "outcomes of the batch and of the batch with the target labels",
    ("app.benchmark.per_point_batchbald", "dtype"): "of the per-point products",
    ("app.benchmark.floor_seconds", "dtype"): "of the product",
    ("app.benchmark.peak_memory", "max_memory"): "passed on",
    ("app.benchmark.out_of_core", "max_memory"): "passed on",
}
HELPERS = ("core.", "distributed.", "selection.check_")  # checks and collectives whose options are the arguments being checked


def test_shared_options_are_described_once():
    different = set()
    for label, obj in CALLABLES:
        meanings = documented_parameters(inspect.getdoc(obj) or "")
        for name in set(meanings) & set(SHARED_PARAMETERS):
            if meanings[name] != SHARED_PARAMETERS[name] and not label.startswith(HELPERS):
                different.add((label, name))
    assert different <= set(OWN_MEANINGS), sorted(different - set(OWN_MEANINGS))
