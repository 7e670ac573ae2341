"""What the sharded tests share: run a function on P gloo processes of this machine, bounded in time.

`run_ranks(work, sizes)` spawns one process per shard size; each initialises a gloo group through a file, calls
`work(rank, sizes, group, results)` to fill its `results` dict (kept even if `work` raises) and saves it. The
processes are killed, and the test fails, if they take longer than `timeout` seconds.
"""
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

TIMEOUT_S = 90  # for one spawn: start-up (~4 s each on 2 busy cores) and every case


def error_of(call) -> str:
    "`call()`'s error as 'Type: message', or 'no error'."
    try:
        call()
    except Exception as error:  # the test checks which error and message
        return f"{type(error).__name__}: {error}"
    return "no error"


def _rank(rank, work, sizes, init_file, out_dir):
    torch.set_num_threads(1)
    dist.init_process_group(
        "gloo", init_method=f"file://{init_file}", rank=rank, world_size=len(sizes), timeout=timedelta(seconds=60)
    )
    results = {}
    try:
        work(rank, sizes, dist.group.WORLD, results)
    finally:
        torch.save(results, Path(out_dir) / f"rank{rank}.pt")
        dist.destroy_process_group()


def run_ranks(work, sizes, timeout=TIMEOUT_S) -> list:
    "Every rank's results dict, spawning one gloo process per shard; fails (and kills them) if they take too long."
    with tempfile.TemporaryDirectory() as tmp:
        context = mp.spawn(_rank, args=(work, sizes, f"{tmp}/init", tmp), nprocs=len(sizes), join=False)
        deadline = time.monotonic() + timeout
        try:
            while not context.join(timeout=1):
                if time.monotonic() > deadline:
                    pytest.fail(f"{len(sizes)} processes did not finish within {timeout} s")
        finally:
            for process in context.processes:
                if process.is_alive():
                    process.kill()
                    process.join()
        return [torch.load(Path(tmp) / f"rank{rank}.pt", weights_only=False) for rank in range(len(sizes))]
