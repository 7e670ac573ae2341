"""The peers' side of `make bench-peers`: runs in the peers' environment (.venv-peers), never in the project's.

    .venv-peers/bin/python tools/peer_worker.py WORK/jobs.json

`batchbald_redux.app.benchmark.run_peers` writes WORK/jobs.json (a list of {"peer", "pool", "B", "M", "seed"}) and
WORK/pools.pt (pool name -> log_probs_N_K_C), then runs this file with the peers' Python. It runs every job, each peer
called the way its documentation says, and writes WORK/results.json: every job with the batch (`indices`, pool
indices), the wall-clock `seconds` of the one call and the `version` of the peer that ran.

In .venv-peers the import name `batchbald_redux` is batchbald-redux 2.0.5, not this package: so this file imports only
the standard library, torch, numpy and the peers, and reads the clock itself (the benchmark chapter, "Peers side by
side", says why the rest of the comparison lives in the package).
"""
import json
import sys
import time
from importlib import metadata
from pathlib import Path

DISTRIBUTIONS = {"batchbald-redux 2.0.5": "batchbald-redux", "scikit-activeml": "scikit-activeml", "baal": "baal"}


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


def version(peer: str) -> str:
    "The version of the peer this process ran: for batchbald_redux that of the module imported, wherever it came from."
    if peer == "batchbald-redux 2.0.5":
        import batchbald_redux

        return getattr(batchbald_redux, "__version__", None) or metadata.version(DISTRIBUTIONS[peer])
    return metadata.version(DISTRIBUTIONS[peer])


def main(jobs_path: Path) -> None:
    "Run every job of the file; write indices, seconds and versions to results.json beside it."
    import torch

    jobs = json.loads(jobs_path.read_text())
    pools = torch.load(jobs_path.parent / "pools.pt")
    results = []
    for job in jobs:
        start = time.perf_counter()
        indices = run_peer(job["peer"], pools[job["pool"]], job["B"], job["M"], job["seed"])
        seconds = time.perf_counter() - start
        results.append({**job, "indices": indices, "seconds": seconds, "version": version(job["peer"])})
        print(f"  {job['peer']:<22} {job['pool']:<16} M={job['M']:<6} {seconds:7.2f} s", flush=True)
    (jobs_path.parent / "results.json").write_text(json.dumps(results))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
