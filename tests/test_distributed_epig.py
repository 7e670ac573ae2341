"""EPIG over a pool sharded with torch.distributed: 2 and 3 gloo processes on localhost, each passing its own shard.

Every rank passes the same targets and must return the same batch, with global indices, as one process on the
concatenated pool: top-k EPIG, the three stochastic EPIG functions (same generator seed), greedy batch EPIG in the
exact regime (float64, scores to 1e-9) and in the sampled regime (same seed), a batch larger than the pool, and
`acquire(..., process_group=group)` for every registered method. `compute_epig` returns each rank's shard of the
single-process scores. Targets that differ between ranks, and a bad shard on one rank, must raise on every rank
instead of leaving the others waiting. Each test runs all its cases in one spawn of the processes (start-up is most
of the cost), is bounded in time, and kills its processes if they overrun.
"""
import math

import torch
import torch.distributed as dist
import fastcore.test as ft
from ranks import error_of, run_ranks

from batchbald_redux.acquisition import ACQUISITION_METHODS, acquire
from batchbald_redux.epig import (
    compute_epig,
    get_batchepig_batch,
    get_epig_batch,
    get_powerepig_batch,
    get_softmaxepig_batch,
    get_softrankepig_batch,
)
from batchbald_redux.pools import random_pool

SEED = 7
N = 30  # pool points, split into the shards of each test


def seeded():
    return torch.Generator().manual_seed(SEED)


# name -> (pool seed, K, C, T, call(pool, targets, **kwargs), scores tolerance). Pools and targets are float64
# Dirichlet(0.5) draws (some confident points). Float64 results are compared at 1e-9; the float32 sampled batch EPIG
# (the default dtype of get_batchepig_batch) at 1e-5: float32 rounds each product to ~1e-7 relative, and the shards
# go through other chunks than the whole pool, over a few steps of gains of about 1 nat.
CASES = {
    "epig": (1, 8, 4, 5, lambda lp, tg, **kw: get_epig_batch(lp, tg, 7, **kw), 1e-9),
    "powerepig": (2, 8, 4, 5, lambda lp, tg, **kw: get_powerepig_batch(lp, tg, 7, generator=seeded(), **kw), 1e-9),
    "softmaxepig": (
        3, 8, 4, 5, lambda lp, tg, **kw: get_softmaxepig_batch(lp, tg, 7, coldness=20.0, generator=seeded(), **kw), 1e-9),
    "softrankepig": (4, 8, 4, 5, lambda lp, tg, **kw: get_softrankepig_batch(lp, tg, 7, generator=seeded(), **kw), 1e-9),
    # 4 picks of C = 3 classes against T = 3 targets: at most 27 * 3 * 3 = 243 outcomes, all enumerated
    "batchepig exact": (5, 6, 3, 3, lambda lp, tg, **kw: get_batchepig_batch(lp, tg, 4, 10_000, torch.float64, **kw), 1e-9),
    # 30 outcomes: the batch is sampled from the third pick on, and the (outcome, target, label) rows from the second
    "batchepig sampled": (
        6, 10, 4, 3,
        lambda lp, tg, **kw: get_batchepig_batch(lp.float(), tg.float(), 5, 30, generator=seeded(), **kw), 1e-5),
    "batchepig batch larger than pool": (
        7, 4, 2, 2,
        lambda lp, tg, **kw: get_batchepig_batch(lp, tg, 40, 20, torch.float64, generator=seeded(), **kw), 1e-9),
    **{
        f"acquire {name}": (
            8, 8, 3, 3,
            lambda lp, tg, name=name, **kw: acquire(lp, 4, name, generator=seeded(), dtype=torch.float64, **taken(name, tg), **kw),
            1e-9,
        )
        for name in ACQUISITION_METHODS
    },
}


def taken(name, targets_T_K_C):
    "The options that decide the batch, for the methods that take them (acquire refuses them for the others)."
    options = ACQUISITION_METHODS[name].options
    return {key: value for key, value in (("num_samples", 30), ("targets_T_K_C", targets_T_K_C)) if key in options}


def pool(seed, K, C, T, size=N):
    "The whole pool and the targets, log-probabilities in float64."
    return random_pool(seed, size, K, C, concentration=0.5).log(), random_pool(seed + 100, T, K, C, concentration=0.5).log()


def shard(tensor, sizes, rank):
    return torch.split(tensor, sizes)[rank]


def _work(rank, sizes, group, results):
    for name, (seed, K, C, T, call, _) in CASES.items():
        log_probs_N_K_C, log_probs_T_K_C = pool(seed, K, C, T)
        batch = call(shard(log_probs_N_K_C, sizes, rank), log_probs_T_K_C, process_group=group)
        results[name] = (batch.indices, batch.scores)
    log_probs_N_K_C, log_probs_T_K_C = pool(1, 8, 4, 5)
    mine_n_K_C = shard(log_probs_N_K_C, sizes, rank)
    results["compute_epig float64"] = compute_epig(mine_n_K_C, log_probs_T_K_C, process_group=group)
    results["compute_epig float32"] = compute_epig(mine_n_K_C.float(), log_probs_T_K_C.float(), process_group=group)
    results["numbers received"] = [_numbers_received(rank, sizes, group, scale) for scale in (1, 3)]
    results.update(_errors(rank, sizes, group))


def _numbers_received(rank, sizes, group, scale) -> int:
    "How many numbers the collectives of one batch EPIG (exact, B = 4, K = 6, C = 3) bring to this rank, pool `scale` x N."
    log_probs_N_K_C, log_probs_T_K_C = pool(5, 6, 3, 3, size=N * scale)
    mine_n_K_C = shard(log_probs_N_K_C, [size * scale for size in sizes], rank)
    received, originals = [], (dist.all_reduce, dist.all_gather, dist.broadcast)

    def counting(collective, numbers):
        def call(*args, **kwargs):
            received.append(numbers(args[0]))
            return collective(*args, **kwargs)
        return call

    dist.all_reduce, dist.broadcast = counting(dist.all_reduce, torch.numel), counting(dist.broadcast, torch.numel)
    dist.all_gather = counting(dist.all_gather, lambda outputs: sum(output.numel() for output in outputs))
    try:
        get_batchepig_batch(mine_n_K_C, log_probs_T_K_C, 4, 10_000, torch.float64, process_group=group)
    finally:
        dist.all_reduce, dist.all_gather, dist.broadcast = originals
    return sum(received)


def _errors(rank, sizes, group) -> dict:
    "The errors every rank sees: targets that differ on the last rank, and a NaN in the last rank's shard."
    log_probs_N_K_C, log_probs_T_K_C = pool(5, 6, 3, 3)
    mine_n_K_C, last = shard(log_probs_N_K_C, sizes, rank), rank == len(sizes) - 1
    other_T_K_C = log_probs_T_K_C.flip(0) if last else log_probs_T_K_C  # the same values, targets in another order
    fewer_T_K_C = log_probs_T_K_C[:2] if last else log_probs_T_K_C
    bad_n_K_C = mine_n_K_C.clone()
    if last:
        bad_n_K_C[-1, 0, 0] = math.nan
    calls = {
        "targets differ": lambda: get_batchepig_batch(mine_n_K_C, other_T_K_C, 3, 1000, process_group=group),
        "targets differ, compute_epig": lambda: compute_epig(mine_n_K_C, other_T_K_C, process_group=group),
        "fewer targets": lambda: get_epig_batch(mine_n_K_C, fewer_T_K_C, 3, process_group=group),
        "bad shard": lambda: get_batchepig_batch(bad_n_K_C, log_probs_T_K_C, 3, 1000, process_group=group),
        "bad shard, powerepig": lambda: get_powerepig_batch(bad_n_K_C, log_probs_T_K_C, 3, process_group=group),
    }
    return {name: error_of(call) for name, call in calls.items()}


def run_sharded(sizes):
    assert sum(sizes) == N
    return run_ranks(_work, sizes)


def check_against_one_process(sizes):
    results = run_sharded(sizes)
    for name, (seed, K, C, T, call, eps) in CASES.items():
        expected = call(*pool(seed, K, C, T))
        for result in results:
            indices, scores = result[name]
            ft.test_eq(indices, expected.indices)
            ft.test_close(torch.tensor(scores, dtype=torch.float64), torch.tensor(expected.scores, dtype=torch.float64), eps=eps)
            ft.test_eq(result[name], results[0][name])  # every rank returns the very same batch
    log_probs_N_K_C, log_probs_T_K_C = pool(1, 8, 4, 5)
    # float64: rounding of sums of a few hundred terms of about 1 nat; float32: ~1e-7 relative per product entry,
    # summed over C^2 = 16 joint outcomes of at most 2 log C nats
    for dtype, eps in [(torch.float64, 1e-12), (torch.float32, 1e-6)]:
        scores_N = compute_epig(log_probs_N_K_C.to(dtype), log_probs_T_K_C.to(dtype))
        for rank, result in enumerate(results):
            ft.test_eq(result[f"compute_epig {str(dtype)[6:]}"].dtype, torch.float64)
            ft.test_close(result[f"compute_epig {str(dtype)[6:]}"], shard(scores_N, sizes, rank), eps=eps)
    # Per step: the pick's K C log-probabilities and a few numbers per rank (3P + 3), before the first step a few per
    # rank (the shard layout, the targets' checksums, the votes: at most 16 P); nothing that grows with N. With the
    # helpers of batchbald_redux.distributed as they are, exactly 1 + 12 P + B (3 P + 2) + (B - 1)(K C + 1).
    P, B, K, C = len(sizes), 4, 6, 3
    for result in results:
        small, large = result["numbers received"]
        ft.test_eq(small, large)
        assert small <= 16 * P + B * (K * C + 3 * P + 3), small
    last = len(sizes) - 1
    for rank, result in enumerate(results):
        for name in ("targets differ", "targets differ, compute_epig"):
            assert result[name].startswith("ValueError: log_probs_T_K_C must be the same on every rank: its values differ"), result[name]
        assert result["fewer targets"].startswith("ValueError: log_probs_T_K_C must be the same on every rank, got shapes"), result["fewer targets"]
        expected = "ValueError: log_probs_N_K_C contains NaN" if rank == last else "RuntimeError: another rank"
        for name in ("bad shard", "bad shard, powerepig"):
            assert result[name].startswith(expected), result[name]
    return results


def test_two_processes_uneven_shards():
    check_against_one_process([7, 23])


def test_three_processes_with_an_empty_shard():
    check_against_one_process([0, 18, 12])
