"""Property-based tests of the stochastic acquisition samplers on small random score vectors.

The frequency checks (do the draws follow p ~ s^beta, exp(beta s), rank^-beta?) live in
nbs/07_stochastic.ipynb; here we check what must hold for every input: distinct valid picks, the
scores that go with them, reproducibility, the top-k limit, and what power sampling does with
scores <= 0. Hypothesis runs derandomized, so every run checks the same examples.
"""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from batchbald_redux.stochastic import sample_power, sample_softmax, sample_softrank

SAMPLERS = [sample_power, sample_softmax, sample_softrank]

common = settings(max_examples=100, deadline=None, derandomize=True)

# Scores with repeats (drawn from a small set) and zero or negative values, as BALD produces after rounding.
scores_lists = st.lists(
    st.one_of(st.floats(-1.0, 5.0, allow_nan=False), st.sampled_from([0.0, -1e-7, 0.5, 1.0])), min_size=1, max_size=12
)
coldnesses = st.sampled_from([0.0, 0.5, 1.0, 3.0, 20.0, math.inf])


def draw(sample, scores, batch_size, coldness, seed):
    return sample(
        torch.tensor(scores, dtype=torch.float64),
        batch_size,
        coldness=coldness,
        generator=torch.Generator().manual_seed(seed),
    )


def feasible(sample, scores, batch_size, coldness):
    """Whether the sampler must succeed: power sampling needs enough positive scores for 0 < beta < inf."""
    if sample is not sample_power or coldness in (0.0, math.inf):
        return True
    return min(batch_size, len(scores)) <= sum(s > 0 for s in scores)


@common
@given(scores_lists, st.integers(0, 15), coldnesses, st.sampled_from(SAMPLERS), st.integers(0, 2**31))
def test_distinct_picks_with_their_scores(scores, batch_size, coldness, sample, seed):
    if not feasible(sample, scores, batch_size, coldness):
        with pytest.raises(ValueError, match="positive score"):
            draw(sample, scores, batch_size, coldness, seed)
        return
    batch = draw(sample, scores, batch_size, coldness, seed)
    assert len(batch.indices) == min(batch_size, len(scores))
    assert len(set(batch.indices)) == len(batch.indices)
    assert all(0 <= i < len(scores) for i in batch.indices)
    assert batch.scores == [scores[i] for i in batch.indices]
    assert draw(sample, scores, batch_size, coldness, seed) == batch


@common
@given(scores_lists, st.integers(0, 15), st.sampled_from(SAMPLERS))
def test_infinite_coldness_is_top_k_with_ties_to_the_lower_index(scores, batch_size, sample):
    expected = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:batch_size]
    assert draw(sample, scores, batch_size, math.inf, 0).indices == expected


@common
@given(scores_lists, st.integers(1, 15), st.sampled_from([0.5, 1.0, 3.0]), st.integers(0, 2**31))
def test_power_never_draws_a_score_at_or_below_zero(scores, batch_size, coldness, seed):
    if not feasible(sample_power, scores, batch_size, coldness):
        return
    assert all(scores[i] > 0 for i in draw(sample_power, scores, batch_size, coldness, seed).indices)


@common
@given(scores_lists, st.integers(1, 15), st.sampled_from([0.5, 1.0, 3.0]), st.integers(0, 2**31))
def test_softrank_depends_only_on_the_order(scores, batch_size, coldness, seed):
    """Replacing the scores by minus their ranks (ties ranked by index) must give the same batch."""
    ranks = np.empty(len(scores))
    ranks[np.argsort(-np.asarray(scores), kind="stable")] = np.arange(1, len(scores) + 1)
    by_rank = draw(sample_softrank, (-ranks).tolist(), batch_size, coldness, seed)
    assert draw(sample_softrank, scores, batch_size, coldness, seed).indices == by_rank.indices


@common
@given(st.lists(st.floats(0.01, 5.0), min_size=1, max_size=12), st.integers(1, 15), st.integers(-8, 8), st.integers(0, 2**31))
def test_power_ignores_the_scale_of_the_scores(scores, batch_size, exponent, seed):
    """Multiplying every score by a power of two adds a constant to the power log-weights."""
    scaled = [s * 2.0**exponent for s in scores]
    assert draw(sample_power, scaled, batch_size, 2.0, seed).indices == draw(sample_power, scores, batch_size, 2.0, seed).indices
