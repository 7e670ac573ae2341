"""nbs/sidebar.yml, the parts of the docs sidebar that docs/build.py and tools/check_docs.py read: every notebook of
nbs/ listed exactly once, index first, the rest in filename order (chapters are numbered by layer, so the parts cut
the numbered list into runs), no part empty; and the build refuses a sidebar that breaks this. Fast: no docs build,
no browser."""
import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / "nbs"


def contents() -> list:
    "The `website: sidebar: contents:` list of nbs/sidebar.yml."
    return yaml.safe_load((NBS / "sidebar.yml").read_text(encoding="utf-8"))["website"]["sidebar"]["contents"]


def listed() -> list[str]:
    "Every notebook sidebar.yml names, in its order."
    return [nb for entry in contents() for nb in (entry["contents"] if isinstance(entry, dict) else [entry])]


def notebooks() -> list[str]:
    "Every notebook of nbs/ that nbdev makes a page of (none in a `.` or `_` folder), relative to nbs/."
    found = [p.relative_to(NBS) for p in NBS.rglob("*.ipynb")]
    return sorted(p.as_posix() for p in found if not any(part.startswith((".", "_")) for part in p.parts))


def test_index_comes_first_outside_the_parts():
    assert contents()[0] == "index.ipynb"


def test_every_other_entry_is_a_part_with_notebooks():
    for entry in contents()[1:]:
        assert isinstance(entry, dict) and set(entry) == {"section", "contents"}, entry
        assert isinstance(entry["section"], str) and entry["section"].strip(), entry
        assert entry["contents"] and all(isinstance(nb, str) for nb in entry["contents"]), f"empty part: {entry}"
    captions = [entry["section"] for entry in contents()[1:]]
    assert len(set(captions)) == len(captions), captions


def test_every_notebook_is_listed_exactly_once():
    counts = Counter(listed())
    assert [nb for nb, n in counts.items() if n > 1] == [], "listed twice"
    assert sorted(set(notebooks()) - set(counts)) == [], "in nbs/ but not in sidebar.yml"
    assert sorted(set(counts) - set(notebooks())) == [], "in sidebar.yml but not in nbs/"


def test_the_chapters_are_in_filename_order():
    assert listed()[1:] == sorted(listed()[1:])


def load_build():
    "docs/build.py as a module (docs/ is no package); importing it builds nothing."
    spec = importlib.util.spec_from_file_location("docs_build", ROOT / "docs" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_nbs(folder: Path, names: list[str], sidebar: list) -> Path:
    "A notebook folder holding these (empty) notebooks and a sidebar.yml with these contents."
    for name in names:
        (folder / name).write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    (folder / "sidebar.yml").write_text(yaml.safe_dump({"website": {"sidebar": {"contents": sidebar}}}))
    return folder


NAMES = ["index.ipynb", "00_a.ipynb", "01_b.ipynb"]


def test_the_build_reads_the_parts_in_order(tmp_path):
    build = load_build()
    sidebar = ["index.ipynb", {"section": "First", "contents": ["00_a.ipynb"]}, {"section": "Second", "contents": ["01_b.ipynb"]}]
    parts = build.read_sidebar(write_nbs(tmp_path, NAMES, sidebar))
    assert parts == [(None, [Path("index.ipynb")]), ("First", [Path("00_a.ipynb")]), ("Second", [Path("01_b.ipynb")])]
    toc = build.toctrees([(None, ["index"]), ("First", ["a"]), ("Second", ["b"])], "index")
    assert toc.count("```{toctree}") == 3 and ":caption: First\n\na\n```" in toc and ":caption: Second\n\nb\n```" in toc
    assert toc.startswith("```{toctree}\n:hidden:\n:maxdepth: 1\n\nself\n```")


@pytest.mark.parametrize(
    "sidebar, message",
    [
        (["index.ipynb", {"section": "All", "contents": ["00_a.ipynb"]}], "01_b.ipynb is in nbs/ but not in sidebar.yml"),
        (["index.ipynb", {"section": "All", "contents": ["00_a.ipynb", "01_b.ipynb", "00_a.ipynb"]}], "00_a.ipynb is listed 2 times"),
        (["index.ipynb", {"section": "All", "contents": ["00_a.ipynb", "01_b.ipynb", "02_c.ipynb"]}], "nbs/02_c.ipynb does not exist"),
        (["index.ipynb", {"section": "Empty", "contents": []}, {"section": "All", "contents": ["00_a.ipynb", "01_b.ipynb"]}],
         "part 'Empty' lists no notebook"),
        (["index.ipynb", {"section": "All", "href": "x.html", "contents": ["00_a.ipynb", "01_b.ipynb"]}], "cannot read the entry"),
    ],
)
def test_the_build_refuses_a_wrong_sidebar(tmp_path, sidebar, message):
    build = load_build()
    with pytest.raises(SystemExit, match=message):
        build.read_sidebar(write_nbs(tmp_path, NAMES, sidebar))
