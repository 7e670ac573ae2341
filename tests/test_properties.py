"""Property-based tests of BatchBALD's mathematical guarantees, on small random pools.

Each property is a fact about mutual information (Kirsch et al., 2019), checked in the exact regime
(num_samples >= C^(B-1)) where the library computes it without sampling noise, in float64 so that
rounding stays far below the tolerances. Hypothesis runs derandomized, so every run checks the same
examples.
"""
import math
import warnings

import numpy as np
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from batchbald_redux import oracle
from batchbald_redux.batchbald import SaturationWarning, compute_bald, compute_entropy, get_bald_batch, get_batchbald_batch
from batchbald_redux.joint_entropy import ExactJointEntropy

TOLERANCE = 1e-9  # float64 rounding in sums of at most a few hundred terms


@st.composite
def pools(draw, min_K=1, with_zeros=True):
    """Probabilities of a small random pool, N x K x C, possibly with exact zeros."""
    N = draw(st.integers(1, 6))
    K = draw(st.integers(min_K, 5))
    C = draw(st.integers(2, 4))
    concentration = draw(st.floats(0.2, 3.0))
    seed = draw(st.integers(0, 2**32 - 1))
    probs_N_K_C = np.random.default_rng(seed).dirichlet(np.full(C, concentration), size=(N, K))
    if with_zeros and draw(st.booleans()):
        probs_N_K_C[probs_N_K_C < 0.1] = 0.0
        probs_N_K_C /= probs_N_K_C.sum(-1, keepdims=True)
    return torch.tensor(probs_N_K_C)


def exact_batchbald(log_probs_N_K_C, batch_size, dtype=torch.float64, **options):
    """BatchBALD with enough samples to stay in the exact regime; a seeded fill if the batch saturates."""
    C = log_probs_N_K_C.shape[2]
    options.setdefault("generator", torch.Generator().manual_seed(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaturationWarning)  # K = 1, or a few confident samples: tested in 06_batchbald
        return get_batchbald_batch(log_probs_N_K_C, batch_size, C ** max(batch_size - 1, 0) + 1, dtype, **options)


def greedy_part(batch):
    """The picks made greedily, before the batch saturated (the rest is a seeded PowerBALD draw)."""
    return batch.indices[: len(batch.indices) - batch.num_filled], batch.scores[: len(batch.scores) - batch.num_filled]


def bald_scores(log_probs_N_K_C):
    return compute_bald(log_probs_N_K_C, dtype=torch.float64)


common = settings(max_examples=150, deadline=None, derandomize=True)


@common
@given(pools(), st.integers(1, 4))
def test_mutual_information_is_non_negative_and_cumulative_scores_never_decrease(probs_N_K_C, batch_size):
    scores = exact_batchbald(probs_N_K_C.log(), batch_size).scores
    assert scores[0] >= -TOLERANCE
    for before, after in zip(scores, scores[1:]):
        assert after >= before - TOLERANCE


@common
@given(pools(), st.integers(2, 4))
def test_each_marginal_gain_is_at_most_the_points_bald_score(probs_N_K_C, batch_size):
    log_probs_N_K_C = probs_N_K_C.log()
    batch = exact_batchbald(log_probs_N_K_C, batch_size)
    bald_N = bald_scores(log_probs_N_K_C)
    gains = [batch.scores[0]] + [after - before for before, after in zip(batch.scores, batch.scores[1:])]
    for index, gain in zip(batch.indices, gains):
        assert gain <= float(bald_N[index]) + TOLERANCE


@common
@given(pools(min_K=2, with_zeros=False), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_permuting_the_pool_permutes_the_picks(probs_N_K_C, batch_size, seed):
    # Exact ties would make the pick depend on rounding; continuous pools have none, and we skip near-ties.
    N = probs_N_K_C.shape[0]
    bald_N = bald_scores(probs_N_K_C.log()).sort().values
    assume(N == 1 or float((bald_N[1:] - bald_N[:-1]).min()) > 1e-6)
    permutation_N = torch.from_numpy(np.random.default_rng(seed).permutation(N))
    batch = exact_batchbald(probs_N_K_C.log(), batch_size)
    permuted = exact_batchbald(probs_N_K_C[permutation_N].log(), batch_size)
    assert permuted.num_filled == batch.num_filled  # a filled pick is drawn by PowerBALD: its index may differ
    (indices, scores), (permuted_indices, permuted_scores) = greedy_part(batch), greedy_part(permuted)
    assert permutation_N[permuted_indices].tolist() == indices
    np.testing.assert_allclose(permuted_scores, scores, rtol=0, atol=TOLERANCE)


@common
@given(pools(min_K=2, with_zeros=False), st.integers(1, 4))
def test_exact_batchbald_matches_the_brute_force_oracle(probs_N_K_C, batch_size):
    N = probs_N_K_C.shape[0]
    bald_N = bald_scores(probs_N_K_C.log()).sort().values
    assume(N == 1 or float((bald_N[1:] - bald_N[:-1]).min()) > 1e-6)
    batch = exact_batchbald(probs_N_K_C.log(), batch_size)
    indices, scores = oracle.greedy_batchbald(probs_N_K_C.numpy(), batch_size)
    greedy_indices, greedy_scores = greedy_part(batch)  # the oracle has no saturation rule: compare the greedy picks
    np.testing.assert_allclose(greedy_scores, scores[: len(greedy_scores)], rtol=0, atol=1e-8)
    # A pick may differ only where two candidates tie in the oracle's own scores.
    for step, (ours, theirs) in enumerate(zip(greedy_indices, indices)):
        if ours != theirs:
            prefix = indices[:step]
            ours_mi = oracle.mutual_information(probs_N_K_C.numpy()[prefix + [ours]])
            assert math.isclose(ours_mi, scores[step], abs_tol=1e-8)
            break


@common
@given(pools(), st.integers(1, 4))
def test_lazy_greedy_picks_what_exhaustive_greedy_picks_in_the_exact_regime(probs_N_K_C, batch_size):
    # Submodularity makes old gains upper bounds, and ties go to the lowest index in both: same picks, even with
    # exact zeros and identical points.
    log_probs_N_K_C = torch.cat([probs_N_K_C, probs_N_K_C[:2]]).log()  # two exact duplicates as well
    # one candidate in a lazy step's first chunk: as lazy as it can be, so that on these tiny pools it skips some
    lazy = exact_batchbald(log_probs_N_K_C, batch_size, lazy=True, lazy_first_chunk=1)
    exhaustive = exact_batchbald(log_probs_N_K_C, batch_size, lazy=False)
    assert lazy.indices == exhaustive.indices
    np.testing.assert_allclose(lazy.scores, exhaustive.scores, rtol=0, atol=TOLERANCE)


@common
@given(pools(with_zeros=False), st.integers(1, 4))
def test_float32_scores_are_within_float32_rounding_of_float64(probs_N_K_C, batch_size):
    # The picks of both are scored in float64 by the oracle, so near-ties that float32 breaks differently still pass:
    # each float32 score must be the exact mutual information of its own picks, within 1e-5 nats (float32's relative
    # rounding, 6e-8, on joint entropies of at most 4 ln 4 = 5.5 nats, summed over up to 5 x 4 terms per outcome).
    batch = exact_batchbald(probs_N_K_C.log(), batch_size, dtype=torch.float32)
    indices, scores = greedy_part(batch)  # a filled pick's score is the batch's before it, not its own MI
    for step, score in enumerate(scores):
        exact = oracle.mutual_information(probs_N_K_C.numpy()[indices[: step + 1]])
        assert math.isclose(score, exact, abs_tol=1e-5)


@common
@given(pools(), st.integers(1, 4))
def test_exact_joint_entropy_is_at_most_the_sum_of_marginal_entropies(probs_N_K_C, num_variables):
    log_probs_N_K_C = probs_N_K_C.log()[:num_variables]
    joint = ExactJointEntropy.empty(log_probs_N_K_C.shape[1], dtype=torch.float64).add_variables(log_probs_N_K_C)
    assert float(joint.compute()) <= float(compute_entropy(log_probs_N_K_C).sum()) + TOLERANCE
    assert math.isclose(float(joint.compute()), oracle.joint_entropy(probs_N_K_C[:num_variables].numpy()), abs_tol=1e-9)


@common
@given(pools(), st.integers(0, 7))
def test_inputs_are_left_untouched_and_results_are_finite(probs_N_K_C, batch_size):
    log_probs_N_K_C = probs_N_K_C.log()
    before = log_probs_N_K_C.clone()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # saturated batches (SaturationWarning) and K = 1 (AgreeingSamplesWarning)
        batches = (get_batchbald_batch(log_probs_N_K_C, batch_size, 4), get_bald_batch(log_probs_N_K_C, batch_size))
    for batch in batches:
        assert len(batch.indices) == min(batch_size, probs_N_K_C.shape[0]) == len(set(batch.indices))
        assert all(math.isfinite(score) for score in batch.scores)
    assert torch.equal(log_probs_N_K_C, before)
