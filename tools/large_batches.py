"""BatchBALD, PowerBALD and top-k BALD on large batches, each batch valued on posterior samples held out from its choice:
what greedy BatchBALD's joint choice buys over per-point scores once B is large and K is small.

    python tools/large_batches.py [--pool digits] [--initial 20] [--copies 3] [--B 100] [--K 20,100] [--K-val 1000]
                                  [--num-samples None] [--outcomes 20000] [--seed 0] [--threads 1] [--json PATH]
    python tools/large_batches.py --pool synthetic [--N 20000] [--C 10] ...   # the synthetic pool instead
    python tools/large_batches.py --check      # the Monte Carlo valuation against exact enumeration, on tiny pools

Pools. `--pool digits` (the default): a real model's consistent MC dropout on Repeated Digits
(`load_repeated_digits(seed, repetitions=copies)`: 3 noisy copies of each of 1097 training images). One `BayesianMLP`
is trained with the experiment's `train_model` (early stopping on the validation set) on `--initial` labelled pool points,
balanced over the classes (`get_balanced_sample_indices`, seeded by --seed), and `predict_log_probs` gives max(K) + K_val
samples on the rest of the pool (the labelled points are removed; their copies stay): sample k is one dropout mask
applied to every point, a function, so that telling one of K_val samples apart takes many labels. Each K chooses with
samples 0 .. K-1 and every K is valued on the same K_val samples, the last ones (max(K) .. max(K) + K_val - 1); consistent
dropout samples are exchangeable, so the split is fair. `--pool synthetic`: for each K, `mc_dropout_like_pool` of N points
(copies of each distinct point, shuffled) with K + K_val i.i.d. samples a point, independent noise per point and sample:
there a handful of uncertain points already identifies the sample, and every method's held-out value reaches log K_val.

The methods choose with the K choice samples, and each batch is valued on the K_val held-out samples ("held-out"), on the
K it was chosen with ("choice") and on the first K of the held-out ones ("held-out K"): values on K samples are at most
log K, so how much a method overfits the samples it chose with is choice - held-out K, the same K. The batch's first 10,
20 and 50 picks (in pick order) are valued on the held-out samples too, to show where each method saturates. Random
batches (5 draws, their mean) are the floor. Timings are wall-clock seconds of one call each, after a warm-up on a
100-point slice. With B large, a batch's value nears its ceiling log K: column "left" is the distance, E H[w | y].

The value of a batch is its mutual information with the samples, I[y_1..y_B; w] = log K_val - E_y H[w | y], w uniform
over the K_val samples, estimated here (not with the package's oracle) from `--outcomes` joint outcomes stratified over
the samples (as many drawn from each p(y | w_k)), with the standard error std / sqrt(outcomes). The draws are common
random numbers: a pool point's labels come from uniforms seeded by (seed, its index), so batches that share points share
draws, and differences between methods are less noisy than each value.
"""
import argparse
import itertools
import json
import math
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from batchbald_redux.acquisition import acquire
from batchbald_redux.active_learning import get_balanced_sample_indices
from batchbald_redux.app.experiment import TrainingSettings, count_duplicates, evaluate_accuracy, train_model
from batchbald_redux.app.repeated_digits import load_repeated_digits
from batchbald_redux.batchbald import SaturationWarning, get_bald_batch, get_batchbald_batch
from batchbald_redux.consistent_mc_dropout import predict_log_probs
from batchbald_redux.pools import mc_dropout_like_pool

MEMORY = 2**23  # bytes of the valuation's temporaries per chunk of outcomes: a few MiB at once (faster than larger chunks)
RANDOM_DRAWS = 5
METHODS = ("batchbald", "powerbald", "bald", "random")
PREFIXES = (10, 20, 50)  # the batch's first picks, valued on the held-out samples
MODEL_K = 50  # dropout samples of the model's validation (early stopping) and test accuracies: run_active_learning's K


def log(message: str):
    "A progress line on stderr."
    print(message, file=sys.stderr, flush=True)


def point_uniforms(seed: int, indices: list, count: int) -> torch.Tensor:
    "`uniforms_B_S`: each pool point's `count` uniforms, seeded by (seed, its index): the same draws in every batch."
    return torch.from_numpy(np.stack([np.random.default_rng([seed, int(index)]).random(count) for index in indices]))


def outcome_samples(K: int, outcomes: int) -> torch.Tensor:
    "`k_S`: the sample each outcome is drawn from, outcomes // K (at least 1) from each."
    return torch.arange(K).repeat_interleave(max(1, outcomes // K))


def chunk_rows(K: int, B: int, C: int) -> int:
    "Outcomes a chunk of the valuation takes, so that its temporaries stay within `MEMORY`."
    return max(1, MEMORY // (8 * (4 * K + 2 * B * C + 2 * B)))


def draw_labels(cdf_B_K_C: torch.Tensor, k_m: torch.Tensor, uniforms_B_m: torch.Tensor) -> torch.Tensor:
    "`labels_B_m`: each point's label in each outcome, the inverse CDF of p(y_b | w_k) at its uniform."
    cdf_B_m_C = cdf_B_K_C[:, k_m]
    targets_B_m_1 = (uniforms_B_m * cdf_B_m_C[..., -1])[..., None]
    return torch.searchsorted(cdf_B_m_C, targets_B_m_1, right=True)[..., 0].clamp_max(cdf_B_K_C.shape[2] - 1)


def log_likelihoods(log_probs_BC_K: torch.Tensor, labels_B_m: torch.Tensor, C: int) -> torch.Tensor:
    "`log_joint_m_K`: log p(y | w_k) = sum_b log p(y_b | w_k) of each outcome, from the rows (b, c) of `log_probs_BC_K`."
    B = labels_B_m.shape[0]
    rows_m_B = (labels_B_m + C * torch.arange(B)[:, None]).T.contiguous()
    return F.embedding_bag(rows_m_B, log_probs_BC_K, mode="sum")


def posterior_entropies(log_joint_m_K: torch.Tensor) -> torch.Tensor:
    "`entropies_m`: H[w | y] of each outcome, w uniform over the K samples a priori."
    log_posterior_m_K = log_joint_m_K - torch.logsumexp(log_joint_m_K, dim=1, keepdim=True)
    posterior_m_K = log_posterior_m_K.exp()
    return -torch.where(posterior_m_K > 0, posterior_m_K * log_posterior_m_K, 0.0).sum(dim=1)


def batch_log_probs(log_probs_N_K_C: torch.Tensor, indices: list) -> torch.Tensor:
    "`log_probs_B_K_C` of the batch in float64, each row renormalised (a float32 row sums to 1 only within ~1e-7)."
    return torch.log_softmax(log_probs_N_K_C[torch.as_tensor(indices)].double(), dim=2)


def rows_by_label(log_probs_B_K_C: torch.Tensor) -> torch.Tensor:
    "`log_probs_BC_K`: float64, a row per (point, label), for `log_likelihoods`."
    B, K, C = log_probs_B_K_C.shape
    return log_probs_B_K_C.double().permute(0, 2, 1).reshape(B * C, K).contiguous()


def mc_value(log_probs_N_K_C: torch.Tensor, indices: list, outcomes: int, seed: int) -> dict:
    "The batch's mutual information with the K samples, by Monte Carlo: value, standard error, outcomes, seconds."
    start = time.perf_counter()
    log_probs_B_K_C = batch_log_probs(log_probs_N_K_C, indices)
    B, K, C = log_probs_B_K_C.shape
    cdf_B_K_C, log_probs_BC_K = log_probs_B_K_C.exp().cumsum(dim=2), rows_by_label(log_probs_B_K_C)
    k_S = outcome_samples(K, outcomes)
    uniforms_B_S = point_uniforms(seed, indices, len(k_S))
    rows = chunk_rows(K, B, C)
    entropies_S = torch.cat([
        posterior_entropies(log_likelihoods(log_probs_BC_K, draw_labels(cdf_B_K_C, k_S[s:s + rows], uniforms_B_S[:, s:s + rows]), C))
        for s in range(0, len(k_S), rows)
    ])
    S, left = len(entropies_S), float(entropies_S.mean())
    return {"value": math.log(K) - left, "left": left, "se": float(entropies_S.std()) / math.sqrt(S) if S > 1 else math.inf,
            "outcomes": S, "seconds": time.perf_counter() - start}


def exact_value(log_probs_N_K_C: torch.Tensor, indices: list) -> float:
    "The batch's mutual information with the K samples, enumerating all C^B outcomes."
    log_probs_B_K_C = batch_log_probs(log_probs_N_K_C, indices)
    B, K, C = log_probs_B_K_C.shape
    labels_B_m = torch.tensor(list(itertools.product(range(C), repeat=B)), dtype=torch.long).T
    log_joint_m_K = log_likelihoods(rows_by_label(log_probs_B_K_C), labels_B_m, C)
    probs_m = (torch.logsumexp(log_joint_m_K, dim=1) - math.log(K)).exp()
    return math.log(K) - float((probs_m * posterior_entropies(log_joint_m_K)).sum())


def seeded(seed: int) -> torch.Generator:
    "A CPU generator seeded with `seed`."
    return torch.Generator().manual_seed(seed)


def batchbald(choose: torch.Tensor, B: int, num_samples: int | None, seed: int) -> tuple:
    "(the batch, its SaturationWarning's message or None): BatchBALD, the warning silenced but kept; others shown."
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        batch = get_batchbald_batch(choose, B, num_samples, generator=seeded(seed))
    saturation = [w for w in caught if issubclass(w.category, SaturationWarning)]
    for other in caught:
        if not issubclass(other.category, SaturationWarning):
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
    return batch, str(saturation[0].message) if saturation else None


def choose_batch(method: str, choose: torch.Tensor, B: int, num_samples: int | None, seed: int) -> dict:
    "One method's batch on the choice samples, with its seconds and (BatchBALD) what it reports."
    start = time.perf_counter()
    if method == "batchbald":
        batch, saturation = batchbald(choose, B, num_samples, seed)
    elif method == "powerbald":
        batch = acquire(choose, B, "powerbald", generator=seeded(seed))
    else:
        batch = get_bald_batch(choose, B)
    seconds = time.perf_counter() - start
    result = {"indices": list(batch.indices), "seconds": seconds, "seconds_per_pick": seconds / B}
    if method == "batchbald":
        result.update(num_filled=batch.num_filled, warned=saturation is not None, warning=saturation,
                      max_outcomes=max(batch.num_outcomes) if batch.num_outcomes else None, own_estimate=batch.scores[-1])
    return result


def random_batches(N: int, B: int, seed: int) -> dict:
    "`RANDOM_DRAWS` batches of B distinct points drawn uniformly, and the seconds they took."
    generator, start = seeded(seed), time.perf_counter()
    draws = [torch.randperm(N, generator=generator)[:B].tolist() for _ in range(RANDOM_DRAWS)]
    seconds = time.perf_counter() - start
    return {"draws": draws, "seconds": seconds, "seconds_per_pick": seconds / (B * RANDOM_DRAWS)}


def warm_up(choose: torch.Tensor, B: int, num_samples: int | None, seed: int):
    "One small call of each method on a 100-point slice (first-call costs out of the timings)."
    small = choose[:100].contiguous()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for method in METHODS[:-1]:
            choose_batch(method, small, min(B, 10, len(small)), num_samples, seed)


def duplicates(log_probs_N_K_C: torch.Tensor, indices: list, originals_N: torch.Tensor | None = None) -> int:
    "Picks of a point already picked in the batch: the same original image (digits), or the same predictions (synthetic)."
    if originals_N is not None:
        return count_duplicates(originals_N[torch.as_tensor(indices)].tolist())
    rows_B = log_probs_N_K_C[torch.as_tensor(indices)].flatten(1)
    return len(indices) - len(torch.unique(rows_B, dim=0))


def average(values: list) -> dict:
    "The mean of several valuations, the standard error of the mean, the spread between them, and their seconds."
    mean, left = (sum(v[key] for v in values) / len(values) for key in ("value", "left"))
    return {"value": mean, "left": left, "se": math.sqrt(sum(v["se"] ** 2 for v in values)) / len(values),
            "spread": float(np.std([v["value"] for v in values], ddof=1)) if len(values) > 1 else 0.0,
            "seconds": sum(v["seconds"] for v in values), "draws": values}


def value_batch(name: str, parts: dict, indices_list: list, outcomes: int, seed: int) -> dict:
    "The batch (or the mean of the batches) valued on the held-out and on the choice samples, timed on stderr."
    result = {}
    for part, log_probs in parts.items():
        values = [mc_value(log_probs, indices, outcomes, seed) for indices in indices_list]
        result[part] = values[0] if len(values) == 1 else average(values)
        log(f"  valued {name} on the {part} samples ({log_probs.shape[1]}): {result[part]['value']:.4f} "
            f"± {result[part]['se']:.4f} nats, {result[part]['seconds']:.2f} s")
    return result


def value_prefixes(held_out: torch.Tensor, indices_list: list, B: int, outcomes: int, seed: int) -> dict:
    "The value on the held-out samples of the batch's first n picks (in pick order), n in `PREFIXES` below B."
    result = {}
    for n in (n for n in PREFIXES if n < B):
        values = [mc_value(held_out, indices[:n], outcomes, seed) for indices in indices_list]
        result[str(n)] = values[0] if len(values) == 1 else average(values)
    if result:
        log("  first picks on the held-out samples: " + ", ".join(
            f"{n}: {v['value']:.4f} ± {v['se']:.4f}" for n, v in result.items()) + f" ({sum(v['seconds'] for v in result.values()):.2f} s)")
    return result


def digits_pool(args, Ks: list) -> dict:
    "A trained BayesianMLP's `log_probs_N_(maxK + K_val)_C` on Repeated Digits' unlabelled pool, and what it came from."
    if args.initial % 10:
        raise SystemExit(f"--initial must be a multiple of the 10 classes (a balanced set), got {args.initial}")
    start = time.perf_counter()
    digits = load_repeated_digits(args.seed, repetitions=args.copies)
    labelled = get_balanced_sample_indices(digits.pool_y_N, 10, args.initial // 10, generator=seeded(args.seed))
    log(f"digits: {digits!r}; training on {len(labelled)} labelled pool points")
    torch.manual_seed(args.seed)  # the model's initialisation, its training dropout, evaluate_accuracy's masks
    model, epochs, validation_accuracy = train_model(
        digits.pool_x_N_D[labelled], digits.pool_y_N[labelled], digits.validation_x_V_D, digits.validation_y_V,
        k=MODEL_K, generator=seeded(args.seed), settings=TrainingSettings(threads=args.threads))
    test_accuracy = evaluate_accuracy(model, digits.test_x_T_D, digits.test_y_T, MODEL_K)
    trained = time.perf_counter()
    unlabelled = torch.ones(len(digits.pool_y_N), dtype=torch.bool)
    unlabelled[labelled] = False
    samples = max(Ks) + args.K_val
    log(f"  trained: {epochs} epochs, validation accuracy {validation_accuracy:.3f}, test accuracy {test_accuracy:.3f} "
        f"({trained - start:.1f} s); predicting {int(unlabelled.sum())} x {samples} samples")
    log_probs = predict_log_probs(model, digits.pool_x_N_D[unlabelled], samples, generator=seeded(args.seed))
    log(f"  predicted in {time.perf_counter() - trained:.1f} s")
    info = {"pool": "digits", "N": int(unlabelled.sum()), "C": 10, "labelled": len(labelled),
            "labelled_indices": labelled.tolist(), "indices": "rows' indices are into the pool without the labelled points",
            "epochs": epochs, "validation_accuracy": validation_accuracy,
            "test_accuracy": test_accuracy, "model_K": MODEL_K, "samples": samples,
            "seconds_train": trained - start, "seconds_predict": time.perf_counter() - trained}
    return {"log_probs": log_probs, "originals": digits.pool_original_N[unlabelled], "info": info}


def pool_parts(args, K: int, pool: dict | None) -> tuple:
    "(parts: the choice, held-out and held-out-K samples, each `log_probs_N_K_C`; the pool points' originals or None)."
    if pool is None:  # synthetic: a pool for this K
        log(f"K={K}: building the pool N={args.N} x {K + args.K_val} x C={args.C} (copies {args.copies})")
        full = mc_dropout_like_pool(args.N, K + args.K_val, args.C, copies=args.copies, seed=args.seed)
        parts, originals = {"held-out": full[:, K:].contiguous(), "choice": full[:, :K].contiguous()}, None
        del full
    else:  # digits: the same held-out samples for every K
        full = pool["log_probs"]
        parts = {"held-out": full[:, full.shape[1] - args.K_val:].contiguous(), "choice": full[:, :K].contiguous()}
        originals = pool["originals"]
    if K <= args.K_val:
        parts["held-out K"] = parts["held-out"][:, :K]
    return parts, originals


def measure_K(args, K: int, pool: dict | None) -> list:
    "Every method's row at one K: its batch, timing and values."
    parts, originals = pool_parts(args, K, pool)
    N = parts["choice"].shape[0]
    warm_up(parts["choice"], args.B, args.num_samples, args.seed)
    rows = []
    for method in METHODS:
        log(f"K={K}: {method}")
        if method == "random":
            row = random_batches(N, args.B, args.seed)
            indices_list = row["draws"]
        else:
            row = choose_batch(method, parts["choice"], args.B, args.num_samples, args.seed)
            indices_list = [row["indices"]]
            log(f"  chose {args.B} in {row['seconds']:.2f} s")
        row.update(K=K, method=method,
                   duplicates=sum(duplicates(parts["choice"], i, originals) for i in indices_list) / len(indices_list))
        row.update(value_batch(method, parts, indices_list, args.outcomes, args.seed))
        row["prefixes"] = value_prefixes(parts["held-out"], indices_list, args.B, args.outcomes, args.seed)
        rows.append(row)
    return rows


def format_table(rows: list) -> str:
    "The plain-text table: a line per (K, method)."
    lines = [f"{'K':>4} {'method':<10} {'seconds':>8} {'ms/pick':>8} {'held-out value':>17} {'left':>8} {'choice value':>17} "
             f"{'held-out K value':>17} {'overfit':>8} {'dup':>5} {'filled':>6} {'warned':>6} {'own est':>8}"]
    for row in rows:
        held, chosen, same_K = row["held-out"], row["choice"], row.get("held-out K")
        bb = row["method"] == "batchbald"
        lines.append(
            f"{row['K']:>4} {row['method']:<10} {row['seconds']:>8.2f} {1000 * row['seconds_per_pick']:>8.2f} "
            f"{held['value']:>8.4f} ± {held['se']:.4f} {held['left']:>8.1e} {chosen['value']:>8.4f} ± {chosen['se']:.4f} "
            f"{format(same_K['value'], '8.4f') + ' ± ' + format(same_K['se'], '.4f') if same_K else '':>17} "
            f"{format(chosen['value'] - same_K['value'], '.4f') if same_K else '':>8} {row['duplicates']:>5.1f} "
            f"{row['num_filled'] if bb else '':>6} {str(row['warned']) if bb else '':>6} "
            f"{format(row['own_estimate'], '.4f') if bb else '':>8}")
    return "\n".join(lines)


def format_prefix_table(rows: list, B: int) -> str:
    "The held-out value of each batch's first n picks, n in `PREFIXES` and B: a line per (K, method)."
    sizes = [n for n in PREFIXES if n < B]
    lines = [f"{'K':>4} {'method':<10} " + " ".join(f"{'first ' + str(n):>17}" for n in sizes) + f" {'all ' + str(B):>17}"]
    for row in rows:
        values = [row["prefixes"][str(n)] for n in sizes] + [row["held-out"]]
        lines.append(f"{row['K']:>4} {row['method']:<10} " + " ".join(f"{v['value']:>8.4f} ± {v['se']:.4f}" for v in values))
    return "\n".join(lines)


def check(outcomes: int, seed: int) -> int:
    "The Monte Carlo value against exact enumeration, every batch of B of N points, on tiny pools: 0 if all agree."
    failures = 0
    for N, K_val, C, B, copies, uncertain in ((6, 3, 2, 3, 1, False), (6, 3, 2, 3, 2, True), (6, 5, 3, 4, 1, True)):
        log_probs_N_K_C = mc_dropout_like_pool(N, K_val, C, copies=copies, every_point_uncertain=uncertain, seed=seed)
        worst = 0.0
        for indices in itertools.combinations(range(N), B):
            estimate, exact = mc_value(log_probs_N_K_C, list(indices), outcomes, seed), exact_value(log_probs_N_K_C, list(indices))
            deviation = abs(estimate["value"] - exact) / max(estimate["se"], 1e-12)
            worst = max(worst, deviation)
            if abs(estimate["value"] - exact) > 4 * estimate["se"] + 1e-12:
                failures += 1
                print(f"  MISMATCH {indices}: Monte Carlo {estimate['value']:.6f} ± {estimate['se']:.6f}, exact {exact:.6f}")
        print(f"N={N} K_val={K_val} C={C} B={B} copies={copies} every_point_uncertain={uncertain}: "
              f"{math.comb(N, B)} batches, worst |Monte Carlo - exact| = {worst:.2f} standard errors")
    print("check passed" if not failures else f"check FAILED: {failures} batches off by more than 4 standard errors")
    return 1 if failures else 0


def parse_num_samples(text: str) -> int | None:
    "--num-samples: an int, or None (the library's adaptive default)."
    return None if text == "None" else int(text)


def parse_Ks(values: list | None) -> list:
    "--K given any number of times, each a comma list."
    return [int(K) for value in (values or ["20,100"]) for K in value.split(",") if K.strip()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default, what in (("N", 20000, "pool points (synthetic pool)"),
                                ("copies", 3, "times each distinct point appears (digits: noisy copies of each image)"),
                                ("C", 10, "classes (synthetic pool)"), ("initial", 20, "labelled points of the model (digits)"),
                                ("B", 100, "batch size"), ("K-val", 1000, "held-out samples"),
                                ("outcomes", 20000, "outcomes of each valuation"), ("seed", 0, "seed of everything"),
                                ("threads", 1, "PyTorch threads")):
        parser.add_argument(f"--{name}", type=int, default=default, help=f"{what} (default {default})")
    parser.add_argument("--pool", choices=("digits", "synthetic"), default="digits",
                        help="digits: a BayesianMLP's consistent MC dropout on Repeated Digits; synthetic: mc_dropout_like_pool "
                             "(default digits)")
    parser.add_argument("--K", action="append", help="choice samples: repeatable, or a comma list (default 20,100)")
    parser.add_argument("--num-samples", type=parse_num_samples, default=None,
                        help="BatchBALD's num_samples: an int, or None (default: the library's adaptive default)")
    parser.add_argument("--json", type=Path, help="write the results, settings and machine here")
    parser.add_argument("--check", action="store_true", help="only check the valuation against exact enumeration")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.check:
        return check(args.outcomes, args.seed)
    Ks, load_start, start = parse_Ks(args.K), os.getloadavg(), time.perf_counter()
    pool = digits_pool(args, Ks) if args.pool == "digits" else None
    rows = [row for K in Ks for row in measure_K(args, K, pool)]
    if pool is None:
        info = {"pool": "synthetic", "N": args.N, "C": args.C, "copies": args.copies}
        described = f"pool synthetic: N={args.N} copies={args.copies} C={args.C}"
    else:
        info = pool["info"] | {"copies": args.copies}
        described = (f"pool digits: Repeated Digits ({args.copies} noisy copies), a BayesianMLP trained on {info['labelled']} "
                     f"balanced labels ({info['epochs']} epochs, test accuracy {info['test_accuracy']:.3f} with "
                     f"{MODEL_K} samples), N={info['N']} unlabelled points C=10; held-out: the last {args.K_val} of "
                     f"{info['samples']} consistent dropout samples, the same for every K")
    print(f"{described}\nB={args.B} K_val={args.K_val} num_samples={args.num_samples} outcomes={args.outcomes} "
          f"seed={args.seed}, {torch.get_num_threads()} thread(s); values in nats "
          f"(at most log K_val = {math.log(args.K_val):.4f}, log K on K samples)\n"
          f"left: the held-out E H[w | y] (log K_val - value, without the cancellation); "
          f"overfit = choice value - held-out K value;\ndup: picks that copy another"
          f"{' (the same original image)' if pool is not None else ''}; filled, warned, own est: "
          f"BatchBALD's fill, SaturationWarning and last score; random: the mean of {RANDOM_DRAWS} draws")
    print(format_table(rows))
    print(f"\nheld-out value of the batch's first picks (pick order), nats (at most log K_val = {math.log(args.K_val):.4f}):")
    print(format_prefix_table(rows, args.B))
    seconds = time.perf_counter() - start
    print(f"total {seconds:.0f} s")
    if args.json:
        settings = {k: v for k, v in vars(args).items() if k not in ("json", "check", "K")} | {"K": Ks}
        args.json.write_text(json.dumps({"settings": settings, "pool": info, "torch": torch.__version__,
                                         "threads": torch.get_num_threads(), "loadavg_start": load_start,
                                         "loadavg_end": os.getloadavg(), "seconds": seconds, "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
