"""The BatchBALD paper's experiments on real MNIST digits, run one at a time and stored as each finishes.

    python tools/paper_runs.py --data mnist --methods random bald batchbald --seeds 0 1 2 3 4 --out nbs/mnist_experiment.json
    python tools/paper_runs.py --data repeated-mnist --methods random bald batchbald --seeds 0 1 2 --out nbs/repeated_mnist_experiment.json

Every (method, seed) run goes through `run_active_learning` with a state file in --state-dir (default runs/, which
git ignores), so a run that was interrupted resumes where it stopped; a finished run is added to --out at once, with
the commit it ran at (and whether the work tree differed from it) and the seconds of the command that finished it, and is skipped when the command runs again. Runs
take hours on two cores: run no benchmark beside them.
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from batchbald_redux.app.experiment import run_active_learning

ROOT = Path(__file__).resolve().parent.parent


def commit() -> str:
    "The commit of the work tree, with '+changes' if tracked files differ from it."
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return head + ("+changes" if dirty else "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["mnist", "repeated-mnist"], required=True)
    parser.add_argument("--methods", nargs="+", required=True)
    parser.add_argument("--seeds", nargs="+", type=int, required=True)
    parser.add_argument("--max-labels", type=int, default=300)
    parser.add_argument("--out", type=Path, required=True, help="the JSON list of finished records (added to, never rewritten)")
    parser.add_argument("--state-dir", type=Path, default=ROOT / "runs")
    args = parser.parse_args(argv)
    stored = json.loads(args.out.read_text()) if args.out.exists() else []
    done = {(r["method"], r["seed"], r["settings"]["data"], r["settings"]["max_labels"]) for r in stored}
    args.state_dir.mkdir(parents=True, exist_ok=True)
    for seed in args.seeds:
        for method in args.methods:
            if (method, seed, args.data, args.max_labels) in done:
                continue
            state = args.state_dir / f"{args.data}-{method}-{seed}-{args.max_labels}.pt"
            start, at = time.perf_counter(), commit()
            record = run_active_learning(method, seed=seed, data=args.data, max_labels=args.max_labels, state_path=state, progress=False)
            entry = record.to_dict()
            entry["settings"] |= {"commit": at, "wall_seconds": round(time.perf_counter() - start, 1)}
            stored.append(entry)
            args.out.write_text(json.dumps(stored, indent=1) + "\n")
            print(f"{args.data} {method} seed {seed}: {record.labels[-1]} labels, accuracy {record.accuracy[-1]:.3f}, "
                  f"{entry['settings']['wall_seconds']:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
