"""Every peer's BatchBALD beside ours, on the same pools with the same number of samples: time and batch value.

    python tools/bench_peers.py [--json nbs/peers.json] [--quick]      # make bench-peers
    python tools/bench_peers.py --quality [--json nbs/sampled_value.json] [--seeds 8]

The peers (batchbald-redux 2.0.5, baal, scikit-activeml) live in their own virtual environment, PEERS_VENV
(default .venv-peers, made by `make bench-peers`): batchbald-redux 2.0.5 has the same import name as this package.
This script runs in the project's environment: it draws the pools, times our `get_batchbald_batch`, runs every
peer in a subprocess of the peers' Python (this same file with --worker), and values every batch with
`oracle.sampled_mutual_information` (2 million outcomes stratified over the K samples, common random numbers).

Default: one MC-dropout-like pool and one all-uncertain pool (N=2000, K=20, C=10), B=10, M=10,000; every peer once.
--quality: the all-uncertain pool over several seeds; ours at several M, ablations of our sampler, and 2.0.5 at
M = 2,500 and 10,000: the batch-value-against-M study of the BatchBALD chapter.
Timings are wall-clock seconds of one call each, peers and ours back to back on the same machine; on a shared machine
compare the ratios, not the seconds.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A short OpenMP spin before torch is imported (as the `batchbald` command does): on a busy machine, spinning threads
# take the cores that the other threads need (README, "Threads and busy machines").
os.environ.setdefault("GOMP_SPINCOUNT", "1000")
PEERS = ("batchbald-redux 2.0.5", "scikit-activeml", "baal")


def run_peer(peer: str, log_probs_N_K_C, batch_size: int, num_samples: int, seed: int) -> list:
    "The batch one peer picks (pool indices), called the way its documentation says."
    import numpy as np
    import torch

    torch.manual_seed(seed)
    np.random.seed(seed)
    if peer == "batchbald-redux 2.0.5":
        from batchbald_redux.batchbald import get_batchbald_batch

        return list(get_batchbald_batch(log_probs_N_K_C, batch_size, num_samples).indices)
    probs_N_K_C = log_probs_N_K_C.double().exp()
    if peer == "scikit-activeml":
        from skactiveml.pool._bald import batch_bald

        utilities_B_N = batch_bald(probs_N_K_C.permute(1, 0, 2).numpy(), batch_size, num_samples, random_state=seed)
        return [int(np.nanargmax(utilities_N)) for utilities_N in utilities_B_N]
    if peer == "baal":
        from baal.active.heuristics import BatchBALD

        # baal draws num_draw labels per posterior sample: num_draw * K outcomes in all
        heuristic = BatchBALD(num_samples=batch_size, num_draw=max(1, num_samples // probs_N_K_C.shape[1]))
        return [int(n) for n in heuristic(probs_N_K_C.permute(0, 2, 1).numpy())[:batch_size]]
    raise ValueError(f"unknown peer {peer!r}")


def worker(jobs_path: Path) -> None:
    "In the peers' environment: run every job of the file, write indices and seconds next to it."
    import torch

    jobs = json.loads(jobs_path.read_text())
    pools = torch.load(jobs_path.parent / "pools.pt")
    versions = {"batchbald-redux 2.0.5": "batchbald-redux", "scikit-activeml": "scikit-activeml", "baal": "baal"}
    results = []
    for job in jobs:
        log_probs_N_K_C = pools[job["pool"]]
        start = time.perf_counter()
        indices = run_peer(job["peer"], log_probs_N_K_C, job["B"], job["M"], job["seed"])
        seconds = time.perf_counter() - start
        results.append({**job, "indices": indices, "seconds": seconds, "version": metadata.version(versions[job["peer"]])})
        print(f"  {job['peer']:<22} {job['pool']:<16} M={job['M']:<6} {seconds:7.2f} s", flush=True)
    (jobs_path.parent / "results.json").write_text(json.dumps(results))


def run_peers(jobs: list, pools: dict, python: Path) -> list:
    "Run the peers' jobs in their own environment."
    import torch

    with tempfile.TemporaryDirectory() as tmp:
        torch.save(pools, Path(tmp) / "pools.pt")
        (Path(tmp) / "jobs.json").write_text(json.dumps(jobs))
        env = {**os.environ, "TQDM_DISABLE": "1"}  # 2.0.5 shows progress bars it cannot be asked to hide
        subprocess.run([str(python), __file__, "--worker", str(Path(tmp) / "jobs.json")], check=True, cwd=tmp, env=env)
        return json.loads((Path(tmp) / "results.json").read_text())


def all_uncertain(seed: int, N: int, K: int, C: int):
    from batchbald_redux.pools import mc_dropout_like_pool

    return mc_dropout_like_pool(N, K, C, every_point_uncertain=True, seed=seed)


def ours(log_probs_N_K_C, batch_size: int, num_samples: int, seed: int, scheme: str = "ours") -> tuple:
    "Our batch and the seconds it took, with our sampler or one of the ablations of the study."
    import torch

    from batchbald_redux import batchbald

    from sampler_ablations import ABLATIONS  # tools/sampler_ablations.py

    with ABLATIONS[scheme]():
        start = time.perf_counter()
        batch = batchbald.get_batchbald_batch(
            log_probs_N_K_C, batch_size, num_samples, generator=torch.Generator().manual_seed(seed), progress=False
        )
        return batch.indices, time.perf_counter() - start


def value(log_probs_N_K_C, indices, num_outcomes: int) -> float:
    from batchbald_redux import oracle

    return oracle.sampled_mutual_information(log_probs_N_K_C, indices, num_outcomes=num_outcomes, seed=12345)


def side_by_side(args, python: Path) -> dict:
    "`make bench-peers`: each peer once on an MC-dropout-like and an all-uncertain pool."
    import torch

    from batchbald_redux.pools import mc_dropout_like_pool

    N, K, C, B, M = args.N, 20, 10, 10, args.M
    pools = {"MC-dropout-like": mc_dropout_like_pool(N, K, C, seed=0), "all-uncertain": all_uncertain(0, N, K, C)}
    peers = [p for p in PEERS if not (args.quick and p == "baal") and (not args.peer or p in args.peer)]
    jobs = [{"peer": p, "pool": pool, "B": B, "M": M, "seed": 0} for pool in pools for p in peers]
    rows = []
    for name, log_probs_N_K_C in pools.items():
        ours(log_probs_N_K_C[:100], 2, 100, 0)  # warm-up: first calls pay for imports and allocation
        indices, seconds = ours(log_probs_N_K_C, B, M, 0)
        rows.append({"pool": name, "package": "batchbald_redux (this)", "version": version_of("batchbald_redux"),
                     "seconds": seconds, "indices": indices})
        print(f"  {'ours':<22} {name:<16} M={M:<6} {seconds:7.2f} s", flush=True)
    for result in run_peers(jobs, pools, python):
        rows.append({"pool": result["pool"], "package": result["peer"].split(" ")[0], "version": result["version"],
                     "seconds": result["seconds"], "indices": result["indices"]})
    ours_seconds = {row["pool"]: row["seconds"] for row in rows if row["package"].startswith("batchbald_redux")}
    for row in rows:
        row["value"] = value(pools[row["pool"]], row["indices"], args.outcomes)
        row["ours seconds"] = ours_seconds[row["pool"]]  # ours in the same run, for the ratio
    left_out = {"left out": "baal (--quick)"} if args.quick else {}
    return {"settings": {"N": N, "K": K, "C": C, "B": B, "M": M, "valued with outcomes": args.outcomes, **left_out,
                         "torch": torch.__version__, "threads": torch.get_num_threads(),
                         "machine": f"{os.cpu_count()} CPUs, {platform.machine()}"},
            "rows": rows}


def quality(args, python: Path) -> dict:
    "--quality: batch value against M on all-uncertain pools, ours (and ablations) against 2.0.5."
    N, K, C, B = args.N, 20, 10, 10
    pools = {f"all-uncertain {seed}": all_uncertain(seed, N, K, C) for seed in range(args.seeds)}
    kept = json.loads(args.keep.read_text())["runs"] if args.keep else []
    done = {(run["scheme"], run["pool"], run["M"]) for run in kept}
    runs = [run for run in kept if run["pool"] in pools]
    all_sizes = [625, 1250, 2500, 5000, 10000]
    for name, log_probs_N_K_C in pools.items():
        seed = int(name.split()[-1])
        for scheme, sizes in [("ours", all_sizes), ("ours without calibration", all_sizes),
                              ("stratified only", [2500, 10000]), ("before (carried, ancestral)", [2500, 10000])]:
            for M in sizes:
                if (scheme, name, M) in done or (args.only and scheme not in args.only):
                    continue
                indices, seconds = ours(log_probs_N_K_C, B, M, 100 + seed, scheme)
                runs.append({"scheme": scheme, "pool": name, "M": M, "indices": indices, "seconds": seconds})
                print(f"  {scheme:<28} {name:<16} M={M:<6} {seconds:7.2f} s", flush=True)
    jobs = [{"peer": PEERS[0], "pool": name, "B": B, "M": M, "seed": 100 + int(name.split()[-1])}
            for name in pools for M in (2500, 10000)
            if not args.only and not any(scheme.startswith("batchbald-redux") and (scheme, name, M) in done for scheme, _, _ in done)]
    for result in run_peers(jobs, pools, python) if jobs else []:
        runs.append({"scheme": f"batchbald-redux {result['version']}", "pool": result["pool"], "M": result["M"],
                     "indices": result["indices"], "seconds": result["seconds"]})
    for run in runs:
        if "value" not in run:
            run["value"] = value(pools[run["pool"]], run["indices"], args.outcomes)
    return {"settings": {"N": N, "K": K, "C": C, "B": B, "seeds": args.seeds, "valued with outcomes": args.outcomes},
            "runs": runs}


def version_of(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--quick", action="store_true", help="leave out baal (the slowest peer)")
    parser.add_argument("--peer", action="append", choices=PEERS, help="run only this peer (repeatable)")
    parser.add_argument("--quality", action="store_true", help="the batch value against M study instead")
    parser.add_argument("--seeds", type=int, default=8, help="pools of the --quality study")
    parser.add_argument("--only", action="append", help="--quality: run only this scheme of ours (repeatable; no peers)")
    parser.add_argument("--keep", type=Path, help="--quality: keep the runs (and values) of this earlier result file")
    parser.add_argument("--N", type=int, default=2000, help="pool size")
    parser.add_argument("--M", type=int, default=10_000, help="num_samples of every peer")
    parser.add_argument("--outcomes", type=int, default=2_000_000, help="outcomes of the reference valuation")
    parser.add_argument("--python", type=Path, default=ROOT / os.environ.get("PEERS_VENV", ".venv-peers") / "bin" / "python")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return 0
    sys.path.insert(0, str(ROOT / "tools"))
    if not args.python.exists():
        print(f"error: no peers' environment at {args.python}; run `make bench-peers`", file=sys.stderr)
        return 1
    results = quality(args, args.python) if args.quality else side_by_side(args, args.python)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    for row in results.get("rows", []):
        print(f"{row['pool']:<16} {row['package']:<24} {row['version']:<8} {row['seconds']:8.2f} s  {row['value']:.4f} nats")
    return 0


if __name__ == "__main__":
    sys.exit(main())
