"""`tools/export_cells.py --check`, which `make lint` runs, on small made-up chapters: what counts as a long export
cell, and what counts as showing one."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import export_cells  # noqa: E402


def chapter(tmp_path, *sources) -> Path:
    path = tmp_path / "99_example.ipynb"
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": s} for s in sources]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def check(path) -> int:
    return export_cells.main(["--check", str(path)])


def test_a_shown_cell_passes(tmp_path):
    assert check(chapter(tmp_path, "#| export\ndef twice(x: int) -> int:\n    return 2 * x", "twice(3)")) == 0


def test_a_cell_over_35_lines_fails(tmp_path, capsys):
    body = "#| export\ndef long() -> int:\n" + "    x = 1\n" * 34 + "    return x"
    assert check(chapter(tmp_path, body, "long()")) == 1
    assert "an export cell of 36 lines (the most is 35)" in capsys.readouterr().err


def test_an_unshown_cell_fails_and_show_doc_or_eval_false_do_not_show_it(tmp_path, capsys):
    define = "#| export\ndef twice(x: int) -> int:\n    return 2 * x"
    assert check(chapter(tmp_path, define, "#| export\ndef other() -> None: pass", "other()")) == 1
    assert "no runnable cell after it uses twice" in capsys.readouterr().err
    assert check(chapter(tmp_path, define, "show_doc(twice)")) == 1
    assert check(chapter(tmp_path, define, "#| eval: false\ntwice(3)")) == 1


def test_every_public_name_must_be_used_a_private_one_is_enough(tmp_path):
    assert check(chapter(tmp_path, "#| export\nA = 1\nB = 2", "A")) == 1
    assert check(chapter(tmp_path, "#| export\n_a = 1\n_b = 2", "_a")) == 0


def test_a_patched_method_is_shown_through_an_attribute_and_imports_are_exempt(tmp_path):
    patched = "#| export\n@patch_to(Box)\ndef grow(self) -> None:\n    self.size += 1"
    assert check(chapter(tmp_path, "#| export\nimport math", patched, "box.grow()")) == 0
