"""Property-based tests of the active learning bookkeeping: ActiveLearningData against a plain-list model of the
same operations, and the epochs of RandomFixedLengthSampler. Hypothesis runs derandomized, so every run checks the
same examples.
"""
import math

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from batchbald_redux.active_learning import ActiveLearningData, RandomFixedLengthSampler, get_base_indices

common = settings(max_examples=100, deadline=None, derandomize=True)

# A data set size, then operations: (acquire?, how many, seed of which pool positions).
operations = st.lists(st.tuples(st.booleans(), st.integers(0, 4), st.integers(0, 2**31)), max_size=8)


@common
@given(st.integers(1, 20), operations)
def test_matches_a_list_model(size, steps):
    data = ActiveLearningData(list(range(size)))
    pool, training, removed = list(range(size)), [], []  # the model: base indices, kept by hand
    training_view, pool_view = data.training_dataset, data.pool_dataset  # live views, taken once
    for acquire, count, seed in steps:
        count = min(count, len(pool))
        picks = torch.randperm(len(pool), generator=torch.Generator().manual_seed(seed))[:count].tolist()
        chosen = [pool[i] for i in picks]
        assert data.get_base_indices(picks).tolist() == chosen
        assert data.get_pool_indices(chosen).tolist() == picks
        returned = data.acquire(picks) if acquire else data.remove_from_pool(picks)
        assert returned.tolist() == chosen
        (training if acquire else removed).extend(chosen)
        pool = [index for index in pool if index not in chosen]
        assert data.pool_base_indices.tolist() == pool
        assert data.training_base_indices.tolist() == training
        assert data.pool_size + data.training_size + len(removed) == size
        assert list(data.pool_dataset) == pool and list(data.training_dataset) == training
        assert list(pool_view) == pool and list(training_view) == training
        assert data.pool_mask.nonzero()[0].tolist() == pool
        assert data.training_mask.nonzero()[0].tolist() == sorted(training)
        assert get_base_indices(pool_view, range(len(pool))) == pool


@common
@given(st.integers(1, 30), st.integers(1, 100), st.integers(0, 2**31))
def test_epochs_cover_the_data_evenly(size, target_length, seed):
    sampler = RandomFixedLengthSampler(range(size), target_length, generator=torch.Generator().manual_seed(seed))
    epoch = list(sampler)
    assert len(epoch) == len(sampler) == max(size, target_length)
    counts = torch.bincount(torch.tensor(epoch), minlength=size)
    assert len(counts) == size
    assert int(counts.min()) >= len(epoch) // size and int(counts.max()) <= math.ceil(len(epoch) / size)


@common
@given(st.integers(1, 30), st.integers(1, 100), st.integers(0, 30), st.integers(0, 2**31))
def test_epochs_follow_a_growing_data_set(size, target_length, growth, seed):
    grown = list(range(size))
    sampler = RandomFixedLengthSampler(grown, target_length, generator=torch.Generator().manual_seed(seed))
    grown.extend(range(size, size + growth))  # the data set grows after the sampler was built
    epoch = list(sampler)
    assert len(epoch) == len(sampler) == max(size + growth, target_length)
    assert set(epoch) == set(range(size + growth))  # every point, the new ones too
