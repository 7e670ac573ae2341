"""Pools larger than memory: log_probs_N_K_C as a view of a memory-mapped file.

A float16 .npy mapped with np.load(mmap_mode="r") must give the batches of the same pool held in memory as float32
(the compute dtype of half-precision pools: every chunk is converted the same way), a bfloat16 raw file mapped with
torch.from_file those of the same bfloat16 pool in memory, and the `batchbald acquire` loader must map the file rather than read it. In a fresh
process, the anonymous memory an acquisition allocates must stay far below the size of the pool: the pool is
never materialised, BALD keeps no per-point state, and BatchBALD keeps 9 bytes a point, none with `scratch_dir`.
"""
import numpy as np
import torch
import fastcore.test as ft

from batchbald_redux.batchbald import get_bald_batch, get_batchbald_batch
from batchbald_redux.app.benchmark import out_of_core, write_npy_pool
from batchbald_redux.app.cli import load_log_probs
from batchbald_redux.pools import mc_dropout_like_pool
from batchbald_redux.stochastic import get_powerbald_batch


def seeded():
    return torch.Generator().manual_seed(0)


def same_batches(mapped_N_K_C, in_memory_N_K_C):
    for pick in (
        lambda pool: get_batchbald_batch(pool, 6, 500, generator=seeded()),
        lambda pool: get_batchbald_batch(pool, 6, 500, lazy=False, generator=seeded()),
        lambda pool: get_bald_batch(pool, 6),
        lambda pool: get_powerbald_batch(pool, 6, generator=seeded()),
    ):
        mapped, in_memory = pick(mapped_N_K_C), pick(in_memory_N_K_C)
        ft.test_eq(mapped.indices, in_memory.indices)
        ft.test_close(torch.tensor(mapped.scores), torch.tensor(in_memory.scores), eps=1e-6)


def test_float16_npy_memory_mapped(tmp_path):
    path = tmp_path / "pool.npy"
    write_npy_pool(path, 3000, 10, 4, rows=1000)
    mapped_N_K_C = load_log_probs(path)
    ft.test_eq(mapped_N_K_C.dtype, torch.float16)
    in_memory_N_K_C = torch.from_numpy(np.load(path)).float()
    same_batches(mapped_N_K_C, in_memory_N_K_C)
    # the file is unchanged: nothing wrote to the map
    ft.test_eq(torch.from_numpy(np.load(path)).float(), in_memory_N_K_C)


def test_bfloat16_from_file(tmp_path):
    pool_N_K_C = mc_dropout_like_pool(3000, 10, 4, seed=1).to(torch.bfloat16)
    path = tmp_path / "pool.bf16"
    path.write_bytes(pool_N_K_C.view(torch.int16).numpy().tobytes())
    mapped_N_K_C = torch.from_file(str(path), shared=False, size=pool_N_K_C.numel(), dtype=torch.bfloat16).view(3000, 10, 4)
    # the same pool in memory, still bfloat16 (as float32 it would fail the normalisation check: bfloat16 keeps 8
    # bits of mantissa, so totals are off by up to ~4e-3, within the half-precision tolerance but not float32's)
    same_batches(mapped_N_K_C, pool_N_K_C)


def test_nothing_materialises_the_pool(tmp_path):
    # 200,000 points x 20 x 10 in float16: an 80 MB file (a float32 copy would allocate 160 MB)
    N, K, C = 200_000, 20, 10
    for scratch in (False, True):
        run = out_of_core(N, K, C, 4, 1000, folder=str(tmp_path), scratch=scratch)
        ft.test_eq(run["file_bytes"] > N * K * C * 2, True)
        # BALD keeps its top B and one chunk: a few CPU_CHUNK_BYTES (8 MiB) of temporaries, whatever N
        assert run["bald_anon_bytes"] < 32 * 2**20, run
        # BatchBALD adds its bounds (9 bytes a point, none in memory with scratch_dir), a chunk of candidates and the
        # outcomes; the pool is 400 bytes a point
        budget = (0 if scratch else 9 * N) + 48 * 2**20
        assert run["batchbald_anon_bytes"] < budget, run
        assert budget < run["file_bytes"]  # so the check would catch any copy of the pool, even in float16
