"""Re-run notebooks and keep their outputs (what the docs and the README show).

    python tools/run_notebooks.py [--slow] [NOTEBOOK ...]

Runs each notebook of nbs/ (or those named) from top to bottom in nbs/, with the repository on the import path,
and writes the outputs back. Cells flagged `#| slow` are skipped, their stored outputs kept, unless --slow is given:
they are the long experiments, which `make outputs-slow` re-runs on purpose. Stops at the first failing cell.
"""
import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / "nbs"


def is_slow(cell) -> bool:
    "Whether a cell carries the `#| slow` flag."
    return cell.cell_type == "code" and any(line.strip() == "#| slow" for line in cell.source.splitlines()[:3])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", action="store_true", help="also run the cells flagged #| slow")
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: every notebook of nbs/)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    from execnb.shell import CaptureShell  # the dev extra's; imported here so that --help works without it

    paths = [path.resolve() for path in args.notebooks] or sorted(NBS.glob("[0-9]*.ipynb")) + [NBS / "index.ipynb"]
    os.chdir(NBS)
    for path in paths:
        start = time.perf_counter()
        skip = (lambda cell: False) if args.slow else is_slow
        try:
            CaptureShell().execute(path, path, exc_stop=True, preproc=skip)
        except Exception as error:
            print(f"{path.name}: failed: {error!r}", file=sys.stderr)
            return 1
        print(f"{path.name}: {time.perf_counter() - start:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
