"""predict_log_probs on models that are not ours: consistent masks in nn.Dropout/1d/2d/3d layers, the same result
whatever the batching, the model left exactly as it was (even when it fails half-way), ensembles, and a Hugging Face
BERT built offline from a small config (skipped with a message when transformers is not installed), whose log-probabilities
are those of its logits by hand, and the same through its probabilities with output="probs".
"""
import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from batchbald_redux.consistent_mc_dropout import predict_log_probs

common = settings(max_examples=30, deadline=None, derandomize=True)
seeded = lambda seed: torch.Generator().manual_seed(seed)


class Recorder(nn.Module):
    "Keeps what it is given, returns logits of a fixed shape."

    def __init__(self):
        super().__init__()
        self.seen = []

    def forward(self, input_B_):
        self.seen.append(input_B_.clone())
        return input_B_.flatten(1)[:, :3]


@pytest.mark.parametrize("layer, shape_B", [(nn.Dropout(0.3), (4, 6, 5)), (nn.Dropout1d(0.5), (4, 6, 5)),
                                            (nn.Dropout2d(0.5), (4, 6, 3, 3)), (nn.Dropout3d(0.5), (4, 6, 2, 2, 2))])
def test_masks_are_shared_by_inputs_and_whole_channels(layer, shape_B):
    recorder = Recorder()
    predict_log_probs(nn.Sequential(layer, recorder), torch.ones(shape_B), 7, generator=seeded(0))
    assert len(recorder.seen) == 7  # one call per sample
    scale = 1 / (1 - layer.p)
    for masked_B_ in recorder.seen:
        assert torch.isclose(masked_B_, torch.zeros(())).logical_or(torch.isclose(masked_B_, torch.tensor(scale))).all()
        assert torch.equal(masked_B_, masked_B_[:1].expand_as(masked_B_))  # the same mask for every input
        if not isinstance(layer, nn.Dropout):  # channel dropout: each channel all kept or all dropped
            per_channel = masked_B_.flatten(2)
            assert torch.equal(per_channel.amin(-1), per_channel.amax(-1))
    assert len({tuple(masked.flatten().tolist()) for masked in recorder.seen}) > 1  # the samples differ


@common
@given(st.integers(1, 13), st.integers(1, 13), st.integers(0, 2**31))
def test_any_batching_gives_the_same_result(batch_size, chunk_size, seed):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3))
    inputs_N = torch.randn(13, 5, generator=seeded(1))
    reference_N_K_C = predict_log_probs(model, inputs_N, 6, generator=seeded(seed), chunk_size=13)
    loader = DataLoader(TensorDataset(inputs_N, torch.zeros(13)), batch_size=batch_size)
    for data in (loader, loader.dataset, inputs_N):
        result = predict_log_probs(model, data, 6, generator=seeded(seed), chunk_size=chunk_size)
        torch.testing.assert_close(result, reference_N_K_C, rtol=1e-5, atol=1e-6)


class FailsOnSecondBatch(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm, self.dropout, self.out = nn.BatchNorm1d(4), nn.Dropout(0.5), nn.Linear(4, 2)
        self.calls = 0

    def forward(self, input_B):
        self.calls += 1
        if self.calls > 1:
            raise RuntimeError("boom")
        return self.out(self.dropout(self.norm(input_B)))


def test_the_model_is_left_as_it_was_even_after_an_error():
    model = FailsOnSecondBatch()
    model.train()
    model.out.eval()
    state = {name: value.clone() for name, value in model.state_dict().items()}
    with pytest.raises(RuntimeError, match="boom"):
        predict_log_probs(model, torch.randn(4, 4), 1, chunk_size=2)
    assert [module.training for module in model.modules()] == [True, True, True, False]
    assert all(len(module._forward_hooks) == 0 for module in model.modules())
    for name, value in model.state_dict().items():
        assert torch.equal(value, state[name]), name  # batch norm's running statistics too


def test_batch_norm_uses_running_statistics():
    model = nn.Sequential(nn.BatchNorm1d(3), nn.Dropout(0.0))
    model[0].running_mean.fill_(1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # p = 0: no dropout, K equal samples
        log_probs_N_K_C = predict_log_probs(model, torch.ones(2, 3), 2)
    expected_C = torch.zeros(3).log_softmax(0)  # (1 - running mean 1) / sqrt(1 + eps) = 0 for every class
    torch.testing.assert_close(log_probs_N_K_C, expected_C.expand(2, 2, 3))


def test_an_ensemble_is_its_members():
    torch.manual_seed(0)
    members = [nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.Linear(4, 2)) for _ in range(4)]
    inputs_N = torch.randn(5, 3, generator=seeded(0))
    log_probs_N_K_C = predict_log_probs(members, DataLoader(inputs_N, batch_size=2))
    for k, member in enumerate(members):
        with torch.no_grad():
            expected_N_C = member.eval()(inputs_N).log_softmax(1)
        torch.testing.assert_close(log_probs_N_K_C[:, k], expected_N_C)


def tiny_bert():
    "A two-layer BERT classifier of 4 classes, built offline from a config (seeded); skips without transformers."
    transformers = pytest.importorskip("transformers", reason="transformers is not installed: pip install torch==2.13.0 transformers (the `test` extra)")
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=64, num_labels=4)
    return transformers.BertForSequenceClassification(config)


def test_hugging_face_bert_built_offline():
    bert = tiny_bert()
    state = {name: value.clone() for name, value in bert.state_dict().items()}
    ids_N_L = torch.randint(1, 100, (10, 8), generator=seeded(0))
    rows = [{"input_ids": ids_N_L[i], "attention_mask": torch.ones(8, dtype=torch.long), "labels": torch.tensor(0)} for i in range(10)]
    log_probs_N_K_C = predict_log_probs(bert, DataLoader(rows, batch_size=4), 5, generator=seeded(1))
    assert log_probs_N_K_C.shape == (10, 5, 4) and log_probs_N_K_C.dtype == torch.float32
    torch.testing.assert_close(log_probs_N_K_C.exp().sum(-1), torch.ones(10, 5))
    assert not torch.allclose(log_probs_N_K_C[:, 0], log_probs_N_K_C[:, 1])  # dropout is on
    # the same rows in one batch, reversed: the same K functions
    reversed_N_K_C = predict_log_probs(bert, DataLoader(rows[::-1], batch_size=10), 5, generator=seeded(1))
    torch.testing.assert_close(reversed_N_K_C.flip(0), log_probs_N_K_C, rtol=1e-5, atol=1e-5)
    # and the same seed through a plain dict of tensors
    as_dict = [{"input_ids": ids_N_L, "attention_mask": torch.ones(10, 8, dtype=torch.long)}]
    torch.testing.assert_close(predict_log_probs(bert, as_dict, 5, generator=seeded(1)), log_probs_N_K_C, rtol=1e-5, atol=1e-5)
    assert bert.training
    for name, value in bert.state_dict().items():
        assert torch.equal(value, state[name]), name


class SoftmaxOf(nn.Module):
    "A Hugging Face model's probabilities, as a dict with `probs` or as a tensor."

    def __init__(self, model, as_dict: bool):
        super().__init__()
        self.model, self.as_dict = model, as_dict

    def forward(self, **batch):
        probs_B_C = self.model(**batch).logits.softmax(dim=-1)
        return {"probs": probs_B_C} if self.as_dict else probs_B_C


def test_hugging_face_bert_output_kinds():
    bert = tiny_bert()
    ids_N_L = torch.randint(1, 100, (10, 8), generator=seeded(0))
    rows = [{"input_ids": ids_N_L[i], "attention_mask": torch.ones(8, dtype=torch.long), "labels": torch.tensor(0)} for i in range(10)]
    loader = DataLoader(rows, batch_size=4)
    logits_seen = []  # the classifier's output in every call: the logits, under the masks of that call's sample
    handle = bert.classifier.register_forward_hook(lambda module, args, output: logits_seen.append(output))
    log_probs_N_K_C = predict_log_probs(bert, loader, 5, output="logits", generator=seeded(1))
    handle.remove()
    assert len(logits_seen) == 3 * 5  # 3 batches, 5 samples each
    logits_N_K_C = torch.cat([torch.stack(logits_seen[5 * batch : 5 * batch + 5], dim=1) for batch in range(3)])
    by_hand_N_K_C = logits_N_K_C - logits_N_K_C.exp().sum(dim=-1, keepdim=True).log()
    torch.testing.assert_close(log_probs_N_K_C, by_hand_N_K_C, rtol=0, atol=1e-6)
    torch.testing.assert_close(predict_log_probs(bert, loader, 5, generator=seeded(1)), log_probs_N_K_C)  # the default
    # the same model's probabilities, as a dict with `probs` or as a tensor: the same masks, the same log-probabilities
    for as_dict in (True, False):
        from_probs_N_K_C = predict_log_probs(SoftmaxOf(bert, as_dict), loader, 5, output="probs", generator=seeded(1))
        torch.testing.assert_close(from_probs_N_K_C, by_hand_N_K_C, rtol=0, atol=1e-5)
    with pytest.raises(ValueError, match=r'the output of SoftmaxOf looks like probabilities .* pass output="probs"'):
        predict_log_probs(SoftmaxOf(bert, as_dict=False), loader, 5)
    with pytest.raises(TypeError, match=r"got a dict with keys \['probs'\]; it has `probs`: pass output=\"probs\""):
        predict_log_probs(SoftmaxOf(bert, as_dict=True), loader, 5)
    with pytest.raises(TypeError, match=r"the output of BertForSequenceClassification must be a tensor, or a dict or object with `probs`; got a SequenceClassifierOutput with keys \['logits'\]; it has `logits`: pass output=\"logits\""):
        predict_log_probs(bert, loader, 5, output="probs")
