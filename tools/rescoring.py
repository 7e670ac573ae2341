"""Where lazy greedy's rescoring goes in BatchBALD's sampled regime: per step, the candidates whose gain was computed
afresh, the margin the step ended with (a fresh gain above its bound widens it), and the largest rise of a fresh gain
above its bound; lazy greedy against exhaustive greedy (which rescores every candidate), on an MC-dropout-like pool
and on a pool where every point is uncertain. The first step takes the BALD scores, which every point has already.

    python tools/rescoring.py [--N 2000] [--K 50] [--C 10] [--B 10] [--M 5000] [--seed 0] [--threads 1]

It counts by wrapping two private methods of `batchbald_redux.batchbald._Bounds` (a measurement, not an interface).
"""
import argparse
import math
import time

import torch

from batchbald_redux import batchbald
from batchbald_redux.batchbald import get_batchbald_batch
from batchbald_redux.pools import mc_dropout_like_pool


class Counter:
    "Per step of a batch: candidates scored, the margin at the end, the largest rise of a fresh gain over its bound."

    def __init__(self):
        self.steps = []

    def install(self):
        start_step, store = batchbald._Bounds.start_step, batchbald._Bounds.store
        counter = self

        def counting_start(bounds, tolerance):
            start_step(bounds, tolerance)
            counter.steps.append({"scored": 0, "rise": -math.inf, "bounds": bounds})

        def counting_store(bounds, indices_n, gains_n):
            if len(indices_n):
                step = counter.steps[-1]
                step["scored"] += len(indices_n)
                step["rise"] = max(step["rise"], float((gains_n - bounds.gains_N[indices_n]).max()))
            store(bounds, indices_n, gains_n)

        batchbald._Bounds.start_step, batchbald._Bounds.store = counting_start, counting_store

        def uninstall():
            batchbald._Bounds.start_step, batchbald._Bounds.store = start_step, store

        return uninstall

    def rows(self) -> list:
        return [(s["scored"], s["bounds"].margin, s["rise"], s["bounds"].tolerance) for s in self.steps]


def measure(log_probs_N_K_C, B: int, M: int, seed: int, lazy: bool) -> tuple:
    "(rows per step, seconds, the batch)."
    counter = Counter()
    uninstall = counter.install()
    try:
        start = time.perf_counter()
        batch = get_batchbald_batch(log_probs_N_K_C, B, M, generator=torch.Generator().manual_seed(seed), lazy=lazy)
        seconds = time.perf_counter() - start
    finally:
        uninstall()
    return counter.rows(), seconds, batch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (("N", 2000), ("K", 50), ("C", 10), ("B", 10), ("M", 5000), ("seed", 0), ("threads", 1)):
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    pools = {"MC-dropout-like": mc_dropout_like_pool(args.N, args.K, args.C, seed=args.seed),
             "all-uncertain": mc_dropout_like_pool(args.N, args.K, args.C, every_point_uncertain=True, seed=args.seed)}
    print(f"N={args.N} K={args.K} C={args.C} B={args.B} M={args.M} seed={args.seed}, {args.threads} thread(s), float32")
    for name, log_probs_N_K_C in pools.items():
        lazy_rows, lazy_seconds, lazy_batch = measure(log_probs_N_K_C, args.B, args.M, args.seed, lazy=True)
        _, exhaustive_seconds, exhaustive_batch = measure(log_probs_N_K_C, args.B, args.M, args.seed, lazy=False)
        print(f"\n{name}: lazy {lazy_seconds:.2f} s, exhaustive {exhaustive_seconds:.2f} s; "
              f"batch value (the last score) lazy {lazy_batch.scores[-1]:.4f}, exhaustive {exhaustive_batch.scores[-1]:.4f} nats")
        print(f"{'step':>4} {'sampled':>8} {'rescored':>9} {'of':>6} {'margin':>9} {'largest rise':>13} {'tolerance':>10}")
        for step, (scored, margin, rise, tolerance) in enumerate(lazy_rows):
            sampled = args.C ** step > max(args.M, 4096)
            print(f"{step:>4} {str(sampled):>8} {scored:>9} {args.N - step:>6} {margin:>9.2e} {rise:>13.2e} {tolerance:>10.1e}")
        print(f"rescored after the first step: {sum(row[0] for row in lazy_rows[1:])} of "
              f"{sum(args.N - step for step in range(1, len(lazy_rows)))} candidates")


if __name__ == "__main__":
    main()
