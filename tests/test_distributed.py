"""Sharded acquisition with torch.distributed: 2 and 3 gloo processes on localhost, each passing its own shard.

Every rank must return the same batch, with global indices, as one process on the concatenated pool: BatchBALD in
the exact and in the sampled regime (lazy and exhaustive greedy), BALD, the stochastic functions, random
acquisition, and the entropy and variation-ratio methods made by the selection base. The shards are uneven and one of them is empty. A bad shard on one rank must stop every rank with an
error instead of leaving the others waiting. Each test runs all its cases in one spawn of the processes (start-up
is most of the cost), is bounded in time, and kills its processes if they overrun.
"""
import math

import torch
import fastcore.test as ft
from ranks import error_of, run_ranks

from batchbald_redux.batchbald import compute_bald, get_bald_batch, get_batchbald_batch
from batchbald_redux.pools import random_pool
from batchbald_redux.stochastic import (
    get_powerbald_batch,
    get_random_batch,
    get_softmaxbald_batch,
    get_softrankbald_batch,
)
from batchbald_redux.uncertainty import get_entropy_batch, get_softmaxentropy_batch, get_variation_ratios_batch


# name -> (pool seed, N, K, C, call(log_probs_N_K_C, **kwargs)); float64 where the single-process result is compared
# at 1e-9, float32 (the default of get_batchbald_batch) in the sampled cases
SEED = 7
CASES = {
    "batchbald exact lazy": (1, 30, 8, 3, lambda lp, **kw: get_batchbald_batch(lp, 4, 1000, torch.float64, **kw)),
    "batchbald exact exhaustive": (
        2, 30, 8, 3, lambda lp, **kw: get_batchbald_batch(lp, 4, 1000, torch.float64, lazy=False, **kw)),
    "batchbald sampled lazy": (
        3, 30, 10, 4,
        lambda lp, **kw: get_batchbald_batch(lp, 6, 50, generator=torch.Generator().manual_seed(SEED), **kw)),
    "batchbald sampled exhaustive": (
        4, 30, 10, 4,
        lambda lp, **kw: get_batchbald_batch(lp, 6, 50, lazy=False, generator=torch.Generator().manual_seed(SEED), **kw)),
    "batchbald batch larger than pool": (5, 30, 4, 2, lambda lp, **kw: get_batchbald_batch(lp, 40, 10, torch.float64, generator=torch.Generator().manual_seed(SEED), **kw)),
    "bald": (6, 30, 8, 5, lambda lp, **kw: get_bald_batch(lp, 7, **kw)),
    "powerbald": (7, 30, 8, 5, lambda lp, **kw: get_powerbald_batch(lp, 7, generator=torch.Generator().manual_seed(SEED), **kw)),
    "softmaxbald": (
        8, 30, 8, 5,
        lambda lp, **kw: get_softmaxbald_batch(lp, 7, coldness=20.0, generator=torch.Generator().manual_seed(SEED), **kw)),
    "softrankbald": (9, 30, 8, 5, lambda lp, **kw: get_softrankbald_batch(lp, 7, generator=torch.Generator().manual_seed(SEED), **kw)),
    "random": (10, 30, 8, 5, lambda lp, **kw: get_random_batch(lp, 7, generator=torch.Generator().manual_seed(SEED), **kw)),
    "entropy": (11, 30, 8, 5, lambda lp, **kw: get_entropy_batch(lp, 7, **kw)),
    "softmaxentropy": (
        12, 30, 8, 5,
        lambda lp, **kw: get_softmaxentropy_batch(lp, 7, coldness=20.0, generator=torch.Generator().manual_seed(SEED), **kw)),
    "variation-ratios": (13, 30, 8, 5, lambda lp, **kw: get_variation_ratios_batch(lp, 7, **kw)),
}


def pool(seed, N, K, C):
    return random_pool(seed, N, K, C).log()


def shards(tensor, sizes):
    return list(torch.split(tensor, sizes))


def _work(rank, sizes, group, results):
    for name, (seed, N, K, C, call) in CASES.items():
        batch = call(shards(pool(seed, N, K, C), sizes)[rank], process_group=group)
        results[name] = (batch.indices, batch.scores)
    scores = compute_bald(shards(pool(6, 30, 8, 5), sizes)[rank], process_group=group)
    results["compute_bald shard"] = scores
    results["bad shard"] = _error(rank, sizes, group)
    results["arguments differ"] = error_of(
        lambda: get_batchbald_batch(shards(pool(1, 30, 8, 3), sizes)[rank], 4 + rank, 100, process_group=group)
    )


def _error(rank, sizes, group):
    "The error every rank sees when the last rank's shard holds a NaN."
    shard = shards(pool(1, 30, 8, 3), sizes)[rank].clone()
    if rank == len(sizes) - 1:
        shard[-1, 0, 0] = math.nan
    return error_of(lambda: get_batchbald_batch(shard, 4, 100, process_group=group))


def run_sharded(sizes):
    return run_ranks(_work, sizes)


def check_against_one_process(sizes):
    results = run_sharded(sizes)
    for name, (seed, N, K, C, call) in CASES.items():
        expected = call(pool(seed, N, K, C))
        for rank, result in enumerate(results):
            indices, scores = result[name]
            ft.test_eq(indices, expected.indices)
            eps = 1e-9 if "exact" in name or "larger" in name or "batchbald" not in name else 1e-5
            ft.test_close(torch.tensor(scores, dtype=torch.float64), torch.tensor(expected.scores, dtype=torch.float64), eps=eps)
            # every rank returns the very same batch
            ft.test_eq(result[name], results[0][name])
    scores_N = compute_bald(pool(6, 30, 8, 5))
    for rank, shard_scores in enumerate(shards(scores_N, sizes)):
        ft.test_close(results[rank]["compute_bald shard"], shard_scores, eps=1e-12)
    last = len(sizes) - 1
    for rank, result in enumerate(results):
        expected = "ValueError: log_probs_N_K_C contains NaN" if rank == last else "RuntimeError: another rank"
        assert result["bad shard"].startswith(expected), result["bad shard"]
        assert result["arguments differ"].startswith("ValueError: B must be the same on every rank"), result["arguments differ"]
    return results


def test_two_processes_uneven_shards():
    check_against_one_process([7, 23])


def test_three_processes_with_an_empty_shard():
    check_against_one_process([0, 18, 12])
