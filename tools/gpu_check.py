"""`make gpu-check`: every acquisition function on the GPU against the CPU, the out-of-memory back-off, sharded
BatchBALD over NCCL with the GPUs there are, and the benchmark's headline sizes; one table. A few minutes at most.

Without CUDA it says so and exits 0. `--device cpu` runs the same checks with the CPU standing in for the GPU (and
gloo for NCCL): a test of this script on machines without a GPU, which proves nothing about GPUs.
"""
import argparse
import os
import sys
import tempfile
import time
import traceback

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from batchbald_redux.batchbald import compute_bald, get_bald_batch, get_batchbald_batch
from batchbald_redux.pools import mc_dropout_like_pool, random_pool
from batchbald_redux.stochastic import (
    get_powerbald_batch,
    get_random_batch,
    get_softmaxbald_batch,
    get_softrankbald_batch,
)

ROWS = []  # (check, passed, detail)


def seeded():
    return torch.Generator().manual_seed(0)


def synchronize(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def timed(call, device):
    synchronize(device)
    start = time.perf_counter()
    result = call()
    synchronize(device)
    return result, time.perf_counter() - start


def row(check, passed, detail):
    ROWS.append((check, "ok" if passed else "FAIL", detail))
    print(f"{check:44} {'ok' if passed else 'FAIL':4} {detail}", flush=True)


def compare(name, call, pool_N_K_C, device, eps):
    "One acquisition function with device= against the CPU: same indices, scores within eps."
    cpu, cpu_s = timed(lambda: call(pool_N_K_C, device="cpu"), "cpu")
    gpu, gpu_s = timed(lambda: call(pool_N_K_C, device=device), device)
    difference = max((abs(a - b) for a, b in zip(cpu.scores, gpu.scores)), default=0.0)
    row(name, cpu.indices == gpu.indices and difference <= eps,
        f"same picks {cpu.indices == gpu.indices}, max |score diff| {difference:.1e}, cpu {cpu_s:.2f} s, {device} {gpu_s:.2f} s")


def acquisition_functions(device):
    exact_N_K_C = random_pool(0, 2000, 20, 3).log().float()  # 3**4 = 81 outcomes: exact for a batch of 5
    pool_N_K_C = mc_dropout_like_pool(20000, 20, 10, seed=1)
    B = 10
    compare("BatchBALD exact (float64)", lambda lp, device: get_batchbald_batch(lp, 5, 1000, torch.float64, device), exact_N_K_C, device, 1e-9)
    compare("BatchBALD sampled, lazy (float32)",
            lambda lp, device: get_batchbald_batch(lp, B, 10000, device=device, generator=seeded()), pool_N_K_C, device, 1e-4)
    compare("BatchBALD sampled, exhaustive (float32)",  # 5000 points: the CPU side rescoring the whole pool is slow
            lambda lp, device: get_batchbald_batch(lp, B, 10000, device=device, lazy=False, generator=seeded()), pool_N_K_C[:5000], device, 1e-4)
    compare("BALD", lambda lp, device: get_bald_batch(lp, B, device=device), pool_N_K_C, device, 1e-5)
    for name, function in (("PowerBALD", get_powerbald_batch), ("SoftmaxBALD", get_softmaxbald_batch),
                           ("SoftrankBALD", get_softrankbald_batch)):
        compare(name, lambda lp, device: function(lp, B, device=device, generator=seeded()), pool_N_K_C, device, 1e-5)
    cpu_scores_N = compute_bald(pool_N_K_C)
    gpu_scores_N = compute_bald(pool_N_K_C, device=device)
    difference = float((cpu_scores_N - gpu_scores_N).abs().max())
    row("compute_bald", difference <= 1e-5, f"max |score diff| {difference:.1e} over {len(cpu_scores_N)} points")
    random = get_random_batch(pool_N_K_C, B, generator=seeded())
    row("random (no device)", len(set(random.indices)) == B, f"{B} distinct points")


def out_of_memory_back_off(device):
    "Fill the GPU but ~1 GiB, then ask for chunks of 16 GiB: toma must halve the chunk until it fits."
    if torch.device(device).type != "cuda":
        row("out-of-memory back-off", True, "skipped: no GPU memory to fill")
        return
    pool_N_K_C = mc_dropout_like_pool(20000, 20, 10, seed=2)
    expected = get_batchbald_batch(pool_N_K_C, 10, 10000, generator=seeded())
    free, _ = torch.cuda.mem_get_info()
    ballast = torch.empty(max(0, free - 2**30), dtype=torch.uint8, device=device)
    try:
        batch, seconds = timed(
            lambda: get_batchbald_batch(pool_N_K_C, 10, 10000, device=device, generator=seeded(), max_memory=16 * 2**30), device
        )
        row("out-of-memory back-off", batch.indices == expected.indices,
            f"same picks as the CPU with 1 GiB free and max_memory=16 GiB, {seconds:.2f} s")
    except Exception as error:  # reported in the table
        row("out-of-memory back-off", False, f"{type(error).__name__}: {str(error)[:100]}")
    finally:
        del ballast
        torch.cuda.empty_cache()


def _nccl_rank(rank, world_size, init_file, backend, device_type, out_dir):
    device = torch.device(device_type, rank) if device_type == "cuda" else torch.device("cpu")
    if device_type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group(backend, init_method=f"file://{init_file}", rank=rank, world_size=world_size)
    pool_N_K_C = mc_dropout_like_pool(20000, 20, 10, seed=3)
    shard_n_K_C = torch.tensor_split(pool_N_K_C, world_size)[rank].to(device)
    batch = get_batchbald_batch(shard_n_K_C, 10, 10000, device=device, generator=seeded(), process_group=dist.group.WORLD)
    bald = get_bald_batch(shard_n_K_C, 10, device=device, process_group=dist.group.WORLD)
    torch.save((batch.indices, batch.scores, bald.indices), os.path.join(out_dir, f"rank{rank}.pt"))
    dist.destroy_process_group()


def sharded(device):
    "BatchBALD and BALD sharded over one process per GPU (NCCL), against one CPU process."
    device_type = torch.device(device).type
    world_size = torch.cuda.device_count() if device_type == "cuda" else 2
    backend = "nccl" if device_type == "cuda" else "gloo"
    if backend == "nccl" and not dist.is_nccl_available():
        row("sharded over NCCL", False, "this PyTorch build has no NCCL")
        return
    with tempfile.TemporaryDirectory() as work:
        start = time.perf_counter()
        context = mp.spawn(_nccl_rank, args=(world_size, f"{work}/init", backend, device_type, work), nprocs=world_size, join=False)
        while not context.join(timeout=1):
            if time.perf_counter() - start > 240:
                for process in context.processes:
                    process.kill()
                row(f"sharded over {backend}", False, "timed out after 240 s")
                return
        seconds = time.perf_counter() - start
        ranks = [torch.load(os.path.join(work, f"rank{rank}.pt")) for rank in range(world_size)]
    pool_N_K_C = mc_dropout_like_pool(20000, 20, 10, seed=3)
    expected = get_batchbald_batch(pool_N_K_C, 10, 10000, generator=seeded())
    bald = get_bald_batch(pool_N_K_C, 10)
    same = all(indices == expected.indices and bald_indices == bald.indices for indices, _, bald_indices in ranks)
    difference = max(abs(a - b) for _, scores, _ in ranks for a, b in zip(scores, expected.scores))
    row(f"sharded over {backend}, {world_size} rank(s)", same and difference <= 1e-4,
        f"same picks as one CPU process {same}, max |score diff| {difference:.1e}, {seconds:.1f} s with start-up")


def headline(device):
    "The benchmark's headline sizes on the device (on the CPU stand-in, a twentieth of N and a tenth of M)."
    sizes = ((2000, 50, 10, 10, 5000), (20000, 100, 10, 10, 10000), (50000, 20, 1000, 10, 10000))
    if torch.device(device).type != "cuda":
        sizes = [(N // 20, K, C, B, M // 10) for N, K, C, B, M in sizes]
    for N, K, C, B, M in sizes:
        try:
            pool_N_K_C = mc_dropout_like_pool(N, K, C, seed=4).to(torch.float16)
            get_batchbald_batch(pool_N_K_C[:100], 2, M, device=device)  # warm up
            _, bald_s = timed(lambda: get_bald_batch(pool_N_K_C, B, device=device), device)
            _, seconds = timed(lambda: get_batchbald_batch(pool_N_K_C, B, M, device=device, generator=seeded()), device)
            row(f"headline N={N} K={K} C={C} B={B} M={M}", True, f"BatchBALD {seconds:.2f} s, BALD {bald_s:.3f} s (float16 pool on the host)")
        except Exception as error:  # reported in the table
            row(f"headline N={N} K={K} C={C}", False, f"{type(error).__name__}: {str(error)[:100]}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", help="cuda (default), or cpu to test this script without a GPU")
    args = parser.parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        print("gpu-check: this PyTorch sees no CUDA device (torch " + torch.__version__ + "); nothing to check here.")
        return 0
    name = torch.cuda.get_device_name() if args.device == "cuda" else "CPU standing in for a GPU"
    print(f"gpu-check on {name}, torch {torch.__version__}\n")
    print(f"{'check':44} {'':4} detail")
    for check in (acquisition_functions, out_of_memory_back_off, sharded, headline):
        try:
            check(args.device)
        except Exception:  # a crash in one check is a failed row; the others still run
            row(check.__name__, False, traceback.format_exc().strip().splitlines()[-1][:120])
    failed = [check for check, status, _ in ROWS if status != "ok"]
    print(f"\n{len(ROWS) - len(failed)} of {len(ROWS)} checks passed" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
