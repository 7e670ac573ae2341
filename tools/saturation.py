"""How close BatchBALD's batches come to saturation in the Repeated Digits experiment, at a given K.

    python tools/saturation.py --K 20 50 --seeds 0 1 [--max-labels 200]

For each K and seed, one BatchBALD run (`experiment.run_active_learning`, one thread) from 20 to --max-labels labels in
batches of 10; prints the batch's information after its last pick (BatchBALD's last score) as a fraction of log K,
the largest and the mean over the batches, the picks filled once a batch saturated (information within 1% of log K),
the duplicates per batch and the seconds per batch. Seeded: the same figures on the same machine and threads, the
seconds aside.
"""
import argparse
import math
import os
import time
import warnings

from batchbald_redux.app import experiment


def measure(K: int, seed: int, max_labels: int) -> str:
    "One run's line."
    information = []
    acquire_batch = experiment.acquire_batch

    def spy(*args, **kwargs):
        batch = acquire_batch(*args, **kwargs)
        information.append(batch.scores[-1] / math.log(K))
        return batch

    experiment.acquire_batch = spy
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            record = experiment.run_active_learning("batchbald", seed=seed, max_labels=max_labels, K=K, threads=1, progress=False)
    finally:
        experiment.acquire_batch = acquire_batch
    batches = len(record.duplicates)
    return (f"K={K:<4} seed={seed}  information/log K: max {max(information):.3f} mean {sum(information) / batches:.3f}  "
            f"filled {sum(record.filled)}  duplicates/batch {sum(record.duplicates) / batches:.2f}  "
            f"s/batch {sum(record.acquisition_seconds) / batches:.2f}  run {time.perf_counter() - start:.0f} s  "
            f"load {os.getloadavg()[0]:.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--K", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--max-labels", type=int, default=200)
    args = parser.parse_args()
    for K in args.K:
        for seed in args.seeds:
            print(measure(K, seed, args.max_labels), flush=True)


if __name__ == "__main__":
    main()
