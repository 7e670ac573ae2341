"""Nothing breaks for users: every module path and public name of batchbald-redux 2.0.5 and of this package before
its layers were drawn (`public_names.json`, read from the code at that commit) still imports, the moved modules are
the very same objects at both paths, the package's front door gives the main API, and the `batchbald` command is
the application's."""
import importlib
import json
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import batchbald_redux

BEFORE = json.loads((Path(__file__).parent / "public_names.json").read_text())
TWO_O_FIVE = ("batchbald", "joint_entropy", "consistent_mc_dropout", "active_learning", "repeated_mnist")


def test_the_list_covers_every_module_of_before_and_of_2_0_5():
    assert set(TWO_O_FIVE) <= set(BEFORE["modules"])
    assert {"acquisition", "stochastic", "epig", "pools", "distributed", "core", "experiment", "benchmark", "cli"} <= set(BEFORE["modules"])


@pytest.mark.parametrize("module", sorted(BEFORE["modules"]))
def test_every_old_name_imports_from_its_old_path(module):
    imported = importlib.import_module(f"batchbald_redux.{module}")
    missing = [name for name in BEFORE["modules"][module] if not hasattr(imported, name)]
    assert not missing, f"batchbald_redux.{module} lost {missing}"


@pytest.mark.parametrize("old, new", sorted(batchbald_redux.MOVED_MODULES.items()))
def test_a_moved_module_is_the_same_object_at_both_paths(old, new):
    assert importlib.import_module(old) is importlib.import_module(new)
    assert importlib.import_module(old).__spec__.name == new


def test_the_front_door():
    from batchbald_redux import acquire, compute_epig, get_bald_batch, get_batchbald_batch, predict_log_probs

    assert get_batchbald_batch.__module__ == "batchbald_redux.batchbald"
    assert {acquire.__name__, compute_epig.__name__, get_bald_batch.__name__, predict_log_probs.__name__} <= set(batchbald_redux.__all__)


def test_the_batchbald_command_runs_the_application(capsys):
    from batchbald_redux.app.cli import main

    (command,) = [point for point in entry_points(group="console_scripts") if point.name == "batchbald"]
    assert command.load() is main
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and batchbald_redux.__version__ in capsys.readouterr().out
