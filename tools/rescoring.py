"""Where lazy greedy's rescoring goes in BatchBALD's sampled regime: per step, the candidates scored on each look at
the step's outcomes (sampled steps first look at a subset, then score only the contenders on more), the outcomes
each look kept (the settled ones are left out), the work (candidates x outcomes kept) and the margin the step's lazy
scan ended with; lazy greedy against exhaustive greedy (which scores every candidate on every outcome), on an
MC-dropout-like pool and on a pool where every point is uncertain. The first step takes the BALD scores, which every
point has already.

    python tools/rescoring.py [--N 2000] [--K 50] [--C 10] [--B 10] [--M 5000] [--seed 0] [--threads 1]

--M 0 runs the adaptive default (num_samples=None). It counts by wrapping `batchbald_redux.batchbald._joint_gains`
and `_Bounds.start_step` (private names: a measurement, not an interface).
"""
import argparse
import time
import warnings

import torch

from batchbald_redux import batchbald
from batchbald_redux.batchbald import get_batchbald_batch
from batchbald_redux.pools import mc_dropout_like_pool


class Counter:
    "Per step of a batch: the looks (outcomes kept, candidates scored) and the bounds (for the margin)."

    def __init__(self):
        self.steps = []

    def close_step(self):
        "Keep the margin the last step's lazy scan ended with (the bounds are reused by the next step)."
        if self.steps and "margin" not in self.steps[-1]:
            self.steps[-1]["margin"] = self.steps[-1]["bounds"].margin

    def install(self):
        start_step, joint_gains = batchbald._Bounds.start_step, batchbald._joint_gains
        counter = self

        def counting_start(bounds, tolerance):
            counter.close_step()
            start_step(bounds, tolerance)
            counter.steps.append({"looks": {}, "bounds": bounds})

        def counting_gains(joint_entropy, log_probs_N_K_C, indices_n, budget=0.0):
            if counter.steps:
                kept = int(joint_entropy._unsettled(budget).sum())
                look = counter.steps[-1]["looks"].setdefault(joint_entropy.log_joint_M_K.shape[0], [0, kept])
                look[0] += len(indices_n)
            return joint_gains(joint_entropy, log_probs_N_K_C, indices_n, budget)

        batchbald._Bounds.start_step, batchbald._joint_gains = counting_start, counting_gains

        def uninstall():
            batchbald._Bounds.start_step, batchbald._joint_gains = start_step, joint_gains

        return uninstall


def measure(log_probs_N_K_C, B: int, M: int | None, seed: int, lazy: bool) -> tuple:
    "(the steps' counts, seconds, the batch)."
    counter = Counter()
    uninstall = counter.install()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", batchbald.SaturationWarning)
            start = time.perf_counter()
            batch = get_batchbald_batch(log_probs_N_K_C, B, M, generator=torch.Generator().manual_seed(seed), lazy=lazy)
            seconds = time.perf_counter() - start
    finally:
        uninstall()
        counter.close_step()
    return counter.steps, seconds, batch


def work(steps: list) -> int:
    "Candidates times outcomes kept, over every look of every step."
    return sum(scored * kept for step in steps for scored, kept in step["looks"].values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (("N", 2000), ("K", 50), ("C", 10), ("B", 10), ("M", 5000), ("seed", 0), ("threads", 1)):
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    M = args.M or None
    pools = {"MC-dropout-like": mc_dropout_like_pool(args.N, args.K, args.C, seed=args.seed),
             "all-uncertain": mc_dropout_like_pool(args.N, args.K, args.C, every_point_uncertain=True, seed=args.seed)}
    print(f"N={args.N} K={args.K} C={args.C} B={args.B} M={M or 'adaptive'} seed={args.seed}, {args.threads} thread(s), float32")
    for name, log_probs_N_K_C in pools.items():
        get_batchbald_batch(log_probs_N_K_C[:100], 2, 100)  # warm-up
        lazy_steps, lazy_seconds, lazy_batch = measure(log_probs_N_K_C, args.B, M, args.seed, lazy=True)
        exhaustive_steps, exhaustive_seconds, exhaustive_batch = measure(log_probs_N_K_C, args.B, M, args.seed, lazy=False)
        print(f"\n{name}: lazy {lazy_seconds:.2f} s, exhaustive {exhaustive_seconds:.2f} s; last score lazy "
              f"{lazy_batch.scores[-1]:.4f}, exhaustive {exhaustive_batch.scores[-1]:.4f} nats; filled {lazy_batch.num_filled}")
        print(f"{'step':>4} {'looks: outcomes (kept) x candidates':<60} {'margin':>9}")
        for step, counts in enumerate(lazy_steps[1:], start=1):
            looks = ", ".join(f"{outcomes} ({kept}) x {scored}" for outcomes, (scored, kept) in counts["looks"].items())
            print(f"{step:>4} {looks:<60} {counts['margin']:>9.2e}")
        candidates = sum(args.N - step for step in range(1, len(lazy_steps)))
        scored = sum(scored for step in lazy_steps[1:] for scored, _ in step["looks"].values())
        print(f"candidates scored after the first step: {scored} (on any look) of {candidates}; work (candidates x outcomes "
              f"kept): lazy {work(lazy_steps):.3g}, exhaustive {work(exhaustive_steps):.3g}")


if __name__ == "__main__":
    main()
