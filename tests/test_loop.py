"""A run of ActiveLearningLoop killed with SIGKILL, in the middle of a round or in the middle of writing its state, and
resumed in a new process, ends with the same records as a run never interrupted; with a fresh model every round, and
with one model fine-tuned round after round (whose weights the state file carries). Every run is a separate process on
this machine with one PyTorch thread, so the same computation gives the same bits: the records (timings and load
aside) are compared exactly."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

RUN = r'''
import json, os, sys, time
from pathlib import Path
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset
import batchbald_redux.loop as loop_module
from batchbald_redux.loop import ActiveLearningLoop

torch.set_num_threads(1)
state, out, kill_in, marker, fine_tune = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]), sys.argv[5] == "fine-tune"
generator = torch.Generator().manual_seed(0)
labels_N = torch.arange(240) % 3
pool = TensorDataset(torch.tensor([[0.0, 1.5], [-1.5, -1.0], [1.5, -1.0]])[labels_N] + torch.randn(240, 2, generator=generator), labels_N)

def hang_once(where):
    "Say where we are, then wait to be killed (only in the run told to, and only once)."
    if kill_in == where and not marker.exists():
        marker.write_text(where)
        time.sleep(600)

def train(model, labelled):
    x, y = next(iter(DataLoader(labelled, batch_size=len(labelled), shuffle=True)))  # shuffles with the global generator
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    for step in range(40):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        if len(labelled) == 14 and step == 20:
            hang_once("train")
    return loss.item()

writable = loop_module._open_for_writing
def open_then_hang(path):
    file = writable(path)
    if kill_in == "write" and not marker.exists() and state.exists() and len(torch.load(state, weights_only=True)["rounds"]) == 2:
        file.write(b"half a state")
        file.flush()
        hang_once("write")
    return file
loop_module._open_for_writing = open_then_hang

make_model = lambda: nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
accuracy = lambda model: float((model.eval()(pool.tensors[0]).argmax(1) == labels_N).double().mean())
torch.manual_seed(1)  # the fine-tuned model's first weights
models = dict(model=make_model()) if fine_tune else dict(model_factory=make_model)
rounds = ActiveLearningLoop(pool, train, num_classes=3, initial=6, max_labels=38, **models, K=8,
                            acquisition_size=8, evaluate=accuracy, state_path=state, progress=False,
                            method_options={"num_samples": 500}).run()
out.write_text(json.dumps([{**vars(r), "seconds": None, "load_average": None} for r in rounds]))
'''


def run(tmp_path: Path, name: str, kill_in: str = "nowhere", models: str = "factory") -> subprocess.Popen:
    script = tmp_path / "run.py"
    script.write_text(RUN)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    args = [sys.executable, str(script), str(tmp_path / f"{name}.pt"), str(tmp_path / f"{name}.json"), kill_in, str(tmp_path / f"{name}.marker"), models]
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(process: subprocess.Popen) -> None:
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output


def records(tmp_path: Path, name: str) -> list:
    return json.loads((tmp_path / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> dict:
    "The records of runs never interrupted: with a model factory, and fine-tuning one model."
    tmp_path = tmp_path_factory.mktemp("uninterrupted")
    for models in ("factory", "fine-tune"):
        finish(run(tmp_path, models, models=models))
    return {models: records(tmp_path, models) for models in ("factory", "fine-tune")}


@pytest.mark.parametrize("kill_in, models", [("train", "factory"), ("write", "factory"), ("train", "fine-tune")])
def test_sigkill_then_resume_gives_the_same_records(tmp_path, uninterrupted, kill_in, models):
    process = run(tmp_path, "killed", kill_in, models)
    deadline = time.monotonic() + 300
    while not (tmp_path / "killed.marker").exists():
        assert process.poll() is None, process.communicate()[0]
        assert time.monotonic() < deadline, "the run never reached the point where it is killed"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert not (tmp_path / "killed.json").exists()
    if kill_in == "write":
        assert (tmp_path / ".killed.pt.tmp").read_bytes() == b"half a state"  # the write it was killed in
    finish(run(tmp_path, "killed", kill_in, models))  # resumes: the marker is there, so it is not held again
    assert records(tmp_path, "killed") == uninterrupted[models]
    assert [r["num_labelled"] for r in uninterrupted[models]] == [6, 14, 22, 30, 38]
    assert not (tmp_path / ".killed.pt.tmp").exists()
