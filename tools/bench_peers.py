"""Every peer's BatchBALD beside ours, on the same pools with the same number of samples: time and batch value.

    python tools/bench_peers.py [--json nbs/peers.json] [--quick] [--peer NAME]...      # make bench-peers
    python tools/bench_peers.py --quality [--json nbs/sampled_value.json] [--seeds 8] [--only SCHEME]... [--keep FILE]

Only the command line: the comparison is `peers_side_by_side` and the --quality study `sampled_value_study` of
`batchbald_redux.app.benchmark` (the benchmark chapter, "Peers side by side"). This file adds the study's schemes,
the ablations of our sampler in tools/sampler_ablations.py, and points the package at the peers' worker,
tools/peer_worker.py, which runs in the peers' own environment, PEERS_VENV (default .venv-peers, made by
`make bench-peers`): batchbald-redux 2.0.5 has the same import name as this package.

Default: one MC-dropout-like pool and one all-uncertain pool (N=2000, K=20, C=10), B=10, M=10,000; every peer once.
--quality: the all-uncertain pool over several seeds; ours at several M, ablations of our sampler, and 2.0.5 at
M = 2,500 and 10,000: the batch-value-against-M study of the BatchBALD chapter.
Timings are wall-clock seconds of one call each, peers and ours back to back on the same machine; on a shared machine
compare the ratios, not the seconds.
"""
import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).resolve().with_name("peer_worker.py")
# No OpenMP setting of our own: the packages run as a user's script calls them, with OpenMP's default spin (`make
# bench-peers` unsets the short spin that `make` sets for busy machines; the settings record what the run had).
from batchbald_redux.app.benchmark import PEERS, format_peers, peers_side_by_side, sampled_value_study  # noqa: E402
from sampler_ablations import ABLATIONS  # noqa: E402  (tools/, beside this file)

# The --quality study: each scheme of ours and the sizes M it runs at (the BatchBALD chapter plots these names).
ALL_SIZES = (625, 1250, 2500, 5000, 10000)
STUDY = {"ours": ALL_SIZES, "ours without calibration": ALL_SIZES, "stratified only": (2500, 10000),
         "before (carried, ancestral)": (2500, 10000)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--quick", action="store_true", help="leave out baal (the slowest peer)")
    parser.add_argument("--peer", action="append", choices=PEERS, help="run only this peer (repeatable)")
    parser.add_argument("--quality", action="store_true", help="the batch value against M study instead")
    parser.add_argument("--seeds", type=int, default=8, help="pools of the --quality study")
    parser.add_argument("--only", action="append", choices=list(STUDY),
                        help="--quality: run only this scheme of ours (repeatable; no peers)")
    parser.add_argument("--keep", type=Path, help="--quality: keep the runs (and values) of this earlier result file")
    parser.add_argument("--N", type=int, default=2000, help="pool size")
    parser.add_argument("--M", type=int, default=10_000, help="num_samples of every peer")
    parser.add_argument("--outcomes", type=int, default=2_000_000, help="outcomes of the reference valuation")
    parser.add_argument("--python", type=Path, default=ROOT / os.environ.get("PEERS_VENV", ".venv-peers") / "bin" / "python")
    args = parser.parse_args(argv)
    if not (args.quality and args.only) and not args.python.exists():
        print(f"error: no peers' environment at {args.python}; run `make bench-peers`", file=sys.stderr)
        return 1
    if args.quality:
        schemes = {name: (ABLATIONS[name], sizes) for name, sizes in STUDY.items() if not args.only or name in args.only}
        kept = json.loads(args.keep.read_text())["runs"] if args.keep else ()
        results = sampled_value_study(args.python, WORKER, schemes, () if args.only else (2500, 10000), args.seeds,
                                      args.N, args.outcomes, kept)
    else:
        peers = [p for p in PEERS if not (args.quick and p == "baal") and (not args.peer or p in args.peer)]
        results = peers_side_by_side(args.python, WORKER, peers, args.N, args.M, args.outcomes)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    if not args.quality:
        print(format_peers(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
