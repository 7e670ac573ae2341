"""BatchBALD's adaptive default (`num_samples=None`) against fixed numbers of samples: time and batch value on the
pools of `make bench-peers` (W1: N=2000, K=50, C=10; an MC-dropout-like and an all-uncertain pool: N=2000, K=20,
C=10; B=10), over several generator seeds, each batch valued with `oracle.mutual_information_with_error`.

    python tools/adaptive_samples.py [--seeds 8] [--outcomes 2000000] [--threads 2] [--json nbs/adaptive_samples.json]

Per pool and setting: the median seconds of one call, and the mean value over the seeds with its standard error (the
spread of the seeds' values over sqrt(seeds): what a batch is worth, including the luck of its draws); the
BatchBALD chapter's "Choosing num_samples" reads the JSON.
"""
import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

import torch

from batchbald_redux.batchbald import SaturationWarning, get_batchbald_batch
from batchbald_redux.core import load_average
from batchbald_redux.oracle import mutual_information_with_error
from batchbald_redux.pools import mc_dropout_like_pool

SETTINGS = (2500, 5000, 10_000, 16_384, None)  # num_samples; None: the adaptive default


def pools() -> dict:
    "The pools of `make bench-peers`, with the M the peers get there."
    return {"W1": (mc_dropout_like_pool(2000, 50, 10, seed=1), 5000),
            "MC-dropout-like": (mc_dropout_like_pool(2000, 20, 10, seed=0), 10_000),
            "all-uncertain": (mc_dropout_like_pool(2000, 20, 10, every_point_uncertain=True, seed=0), 10_000)}


def run(log_probs_N_K_C: torch.Tensor, num_samples: int | None, seeds: int, outcomes: int) -> dict:
    "Median seconds and the values of `seeds` batches of 10 with `num_samples`."
    times, values = [], []
    for seed in range(seeds):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SaturationWarning)
            start = time.perf_counter()
            batch = get_batchbald_batch(log_probs_N_K_C, 10, num_samples, generator=torch.Generator().manual_seed(seed))
            times.append(time.perf_counter() - start)
        values.append(mutual_information_with_error(log_probs_N_K_C, batch.indices, outcomes, seed=12345)[0])
    return {"num_samples": num_samples or "adaptive", "seconds": statistics.median(times), "values": values,
            "value": statistics.mean(values), "error": statistics.stdev(values) / len(values) ** 0.5}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--outcomes", type=int, default=2_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    results = {"settings": {"seeds": args.seeds, "outcomes": args.outcomes, "threads": args.threads, "B": 10,
                            "load average before": load_average()}, "rows": []}
    get_batchbald_batch(mc_dropout_like_pool(100, 20, 10), 2, 100)  # warm-up
    for name, (log_probs_N_K_C, peers_M) in pools().items():
        for num_samples in SETTINGS:
            row = {"pool": name, "peers' M": peers_M, **run(log_probs_N_K_C, num_samples, args.seeds, args.outcomes)}
            results["rows"].append(row)
            print(f"{name:<16} num_samples={str(row['num_samples']):<9} {row['seconds']:6.3f} s  "
                  f"value {row['value']:.5f} ± {row['error']:.5f}", flush=True)
    results["settings"]["load average after"] = load_average()
    print(f"load average before {results['settings']['load average before']}, after {results['settings']['load average after']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
