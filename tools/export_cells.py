"""The export cells of each chapter: how many, their median and longest length, and whether each is shown at once.

    python tools/export_cells.py                      # the table
    python tools/export_cells.py --check              # the table, then exit 1 if a limit below is broken
    python tools/export_cells.py --check nbs/05_joint_entropy.ipynb

`--check` holds the chapters to what CONTRIBUTING.md asks of them:
- no export cell longer than `--max` lines (35), and the median over all chapters at most `--median` (10); a cell's
  lines are its lines without the `#|` directives, blank lines and docstrings included (they are what a reader reads);
- every export cell is *shown*: before the next export cell comes a code cell that runs (not `#| eval: false`) and
  uses what it defined: every public name it defines, or, if it defines only private names, at least one of them (a
  method added with `patch_to` is used as `obj.method`). A cell of `show_doc` calls alone shows no use. Export cells
  that only import are exempt.
"""
import argparse
import ast
import json
import re
import statistics
import sys
from pathlib import Path

NBS = Path(__file__).resolve().parent.parent / "nbs"
MAX_LINES, MEDIAN_LINES = 35, 10


def directives(source: str) -> list:
    "The `#|` directives of a cell, as written (`['export']`, `['eval: false']`, ...)."
    return [line[2:].strip() for line in source.splitlines() if line.startswith("#|")]


def is_export(source: str) -> bool:
    return any(d in ("export", "exports") for d in directives(source))


def code_lines(source: str) -> int:
    "Lines of a cell, without its `#|` directives."
    return sum(1 for line in source.splitlines() if not line.startswith("#|"))


def python_of(source: str) -> str:
    "A cell's source with IPython's `!shell` and `%magic` lines blanked, so that `ast` can read it."
    return "\n".join("" if line.lstrip().startswith(("!", "%")) else line for line in source.splitlines())


def defined_names(source: str) -> list:
    "The names an export cell binds at its top level (functions, classes, assignments), dunders and imports aside."
    names = []
    for node in ast.parse(python_of(source)).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return [n for n in dict.fromkeys(names) if not (n.startswith("__") and n.endswith("__"))]


def used_names(source: str) -> set:
    "Every name and attribute a cell mentions."
    try:
        tree = ast.parse(python_of(source))
    except SyntaxError:
        return set(re.findall(r"\w+", source))
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}


def only_show_doc(source: str) -> bool:
    "True if a cell's statements are all `show_doc(...)` calls (or imports)."
    body = ast.parse(python_of(source)).body
    return all(isinstance(s, (ast.Import, ast.ImportFrom)) or (
        isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and getattr(s.value.func, "id", "") == "show_doc")
        for s in body)


def unshown(cells: list) -> list:
    "`(index, names)` of each export cell whose definitions no runnable code cell uses before the next export cell."
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    problems = []
    for i, source in enumerate(sources):
        if not is_export(source):
            continue
        names = defined_names(source)
        if not names:
            continue
        following = []
        for later in sources[i + 1:]:
            if is_export(later):
                break
            if "eval: false" in directives(later) or only_show_doc(later):
                continue
            following.append(later)
        used = set().union(*map(used_names, following)) if following else set()
        public = [n for n in names if not n.startswith("_")]
        missing = [n for n in public if n not in used] if public else ([] if used & set(names) else names)
        if missing:
            problems.append((i, missing))
    return problems


def first_line(source: str) -> str:
    return next((line for line in source.splitlines() if line.strip() and not line.startswith("#|")), "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="chapters to read (default: every one in nbs/)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a cell breaks a limit or is not shown")
    parser.add_argument("--max", type=int, default=MAX_LINES, help="the longest an export cell may be")
    parser.add_argument("--median", type=int, default=MEDIAN_LINES, help="the most the median over all may be")
    parser.add_argument("--json", type=Path, help="also write the figures per chapter here")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NBS.glob("*.ipynb"))
    print(f"{'notebook':<36}{'cells':>6}{'median':>7}{'longest':>8}  longest cell")
    all_lengths, failures, figures = [], [], {}
    for path in paths:
        cells = json.loads(path.read_text())["cells"]
        sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        exports = [s for s in sources if is_export(s)]
        if not exports:
            continue
        lengths = [code_lines(s) for s in exports]
        all_lengths += lengths
        longest = max(range(len(exports)), key=lengths.__getitem__)
        print(f"{path.name:<36}{len(exports):>6}{statistics.median(lengths):>7.1f}{lengths[longest]:>8}"
              f"  {first_line(exports[longest])[:50]}")
        figures[path.name] = {"cells": len(exports), "median": statistics.median(lengths), "longest": max(lengths)}
        failures += [f"{path.name}: an export cell of {n} lines (the most is {args.max}): {first_line(s)[:60]}"
                     for s, n in zip(exports, lengths) if n > args.max]
        failures += [f"{path.name}: the export cell `{first_line(sources[i])[:50]}` is not shown before the next "
                     f"export cell (no runnable cell after it uses {', '.join(names)})"
                     for i, names in unshown(cells)]
    median = statistics.median(all_lengths) if all_lengths else 0
    print(f"{'all chapters':<36}{len(all_lengths):>6}{median:>7.1f}{max(all_lengths, default=0):>8}")
    if args.json:
        figures["all"] = {"cells": len(all_lengths), "median": median, "longest": max(all_lengths, default=0)}
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    if median > args.median and not args.notebooks:
        failures.append(f"the median export cell has {median} lines (the most is {args.median})")
    if args.check and failures:
        print("\n".join(failures), file=sys.stderr)
        print(f"export cell check: {len(failures)} problems", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
