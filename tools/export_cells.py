"""Lines per export cell in each notebook: count, median and longest (with the longest cell's first line).

    python tools/export_cells.py [--max LINES]

With --max, exits 1 if any export cell is longer than LINES lines.
"""
import argparse
import json
import statistics
import sys
from pathlib import Path

NBS = Path(__file__).resolve().parent.parent / "nbs"


def export_cells(path: Path) -> list:
    "The sources of the cells of a notebook that nbdev exports (`#| export` or `#| exports`)."
    cells = json.loads(path.read_text())["cells"]
    sources = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    return [s for s in sources if any(line.strip() in ("#| export", "#| exports") for line in s.splitlines()[:3])]


def code_lines(source: str) -> int:
    "Lines of a cell, without its `#|` directives."
    return sum(1 for line in source.splitlines() if not line.startswith("#|"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=None, help="fail if an export cell is longer than this")
    args = parser.parse_args(argv)
    print(f"{'notebook':<36}{'cells':>6}{'median':>7}{'longest':>8}  longest cell")
    too_long = []
    for path in sorted(NBS.glob("*.ipynb")):
        cells = export_cells(path)
        if not cells:
            continue
        lengths = [code_lines(c) for c in cells]
        longest = max(range(len(cells)), key=lengths.__getitem__)
        first = next((line for line in cells[longest].splitlines() if line.strip() and not line.startswith("#|")), "")
        print(f"{path.name:<36}{len(cells):>6}{statistics.median(lengths):>7.0f}{lengths[longest]:>8}  {first[:50]}")
        too_long += [(path.name, n) for n in lengths if args.max is not None and n > args.max]
    if too_long:
        print(f"{len(too_long)} export cells longer than {args.max} lines", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
