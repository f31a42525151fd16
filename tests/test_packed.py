"""The packed engine gives the one-model numbers, stops at a deadline and resumes exactly, and the GPU
window command runs end to end on CPU with a tiny preset and a fake IDX dataset."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from constructions.configurations import Configuration, configuration_family, evaluate, train
from constructions.matching import DistillSettings, RealData, distill_dm
from constructions.networks import seeded_generator
from empirical.checkpoint import DeadlineReached, run_resumable
from empirical.packed import PackedDM, PackedTraining, evaluate_packed
from tests.test_datasets import write_idx
from tests.torch_support import one_torch_thread  # noqa: F401  (autouse fixture)

ROOT = Path(__file__).resolve().parent.parent
# float32 round-off: vmapped and single convolutions sum in different orders (~1e-7 relative per
# operation); a few steps of SGD at lr 0.01 keep parameter differences near 1e-6, so 1e-5 is 10× that
PARAMETER_TOLERANCE = 1e-5
LOSS_TOLERANCE = 1e-5


@pytest.fixture(autouse=True)
def _window_environment_restored(monkeypatch):
    """The window command points the process at its own data and cache folders (os.environ); a test
    must not leave them set for the tests after it (monkeypatch restores whatever was there)."""
    for name in ("DDTHEORY_FASHION_MNIST", "DDTHEORY_CACHE"):
        if name in os.environ:
            monkeypatch.setenv(name, os.environ[name])
        else:
            monkeypatch.setenv(name, "")  # recorded as absent, so it is removed again afterwards
            monkeypatch.delenv(name)


def _training_data(count=3, n=30, side=16):
    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(count, n, 1, side, side, generator=g), torch.randint(10, (count, n), generator=g)
    return x, y, torch.randn(50, 1, side, side, generator=g), torch.randint(10, (50,), generator=g)


DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("config", [
    Configuration("sgd", "convnet-w32", epochs=3, batch_size=16, augmentation=("flip", "crop")),
    Configuration("adam", "mlp", optimiser="adam", lr=1e-3, schedule="cosine", epochs=2, batch_size=16),
])
def test_packed_training_matches_one_model_training(config, device):
    x, y, test_x, test_y = (t.to(device) for t in _training_data())
    seeds = (5, 6, 7)
    packed = PackedTraining(x, y, config, [seeded_generator(s) for s in seeds])
    packed.run()
    assert packed.done and packed.step == packed.per_epoch * config.epochs
    for p, (seed, (accuracy, loss)) in enumerate(zip(seeds, evaluate_packed(packed, test_x, test_y))):
        model = train(x[p], y[p], config, seed)
        reference = model.state_dict()
        worst = max(float((reference[name] - packed.params[name][p].detach()).abs().max()) for name in packed.params)
        assert worst <= PARAMETER_TOLERANCE
        ref_accuracy, ref_loss = evaluate(model, test_x, test_y)
        assert accuracy == ref_accuracy and abs(loss - ref_loss) <= LOSS_TOLERANCE


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("augmentation, normalise, init", [((), False, "real"), (("flip", "crop", "colour"), True, "noise")])
def test_packed_dm_matches_one_run_dm(augmentation, normalise, init, device):
    g = torch.Generator().manual_seed(2)
    data = RealData(torch.randn(80, 1, 16, 16, generator=g).to(device), torch.arange(10).repeat_interleave(8).to(device),
                    10, 0.0, 1.0)
    family = [Configuration("c", "convnet-w32")]
    settings = [DistillSettings(ipc=2, iterations=3, seed=s, real_batch=4, augmentation=augmentation,
                                dm_normalise=normalise, init=init) for s in (0, 1)]
    packed = PackedDM(data, family, settings, generator_device="cpu")
    packed.run()
    for p, single in enumerate(settings):
        reference = distill_dm(data, family, single).images
        assert float((reference - packed.images[p].detach()).abs().max()) <= PARAMETER_TOLERANCE
        assert float((reference - packed.images[1 - p].detach()).abs().max()) > 1e-2  # the seeds really differ


class CountingClock:
    """Expires after ``calls`` deadline queries (a wall clock that runs out mid-trial, deterministically)."""

    def __init__(self, calls):
        self.calls = calls

    def expired(self):
        self.calls -= 1
        return self.calls < 0

    def left(self):
        return float(self.calls)


def _fresh_works():
    x, y, _, _ = _training_data()
    config = Configuration("sgd", "convnet-w32", epochs=3, batch_size=16)
    g = torch.Generator().manual_seed(2)
    data = RealData(torch.randn(80, 1, 16, 16, generator=g), torch.arange(10).repeat_interleave(8), 10, 0.0, 1.0)
    settings = [DistillSettings(ipc=2, iterations=4, seed=s, real_batch=4, augmentation=("crop",)) for s in (0, 1)]
    return (PackedTraining(x, y, config, [seeded_generator(s) for s in (5, 6, 7)]),
            PackedDM(data, [Configuration("c", "convnet-w32")], settings))


def _result(work):
    return work.params if isinstance(work, PackedTraining) else {"images": work.images}


@pytest.mark.parametrize("which", [0, 1])
def test_deadline_checkpoints_and_resume_loses_nothing(tmp_path, which):
    uninterrupted = _fresh_works()[which]
    uninterrupted.run()
    interrupted, path = _fresh_works()[which], tmp_path / "work.pt"
    with pytest.raises(DeadlineReached):
        run_resumable(interrupted, path, CountingClock(3))
    assert path.exists() and not list(tmp_path.glob("*.tmp"))
    resumed = _fresh_works()[which]  # a new process would rebuild the work from the spec, then load
    run_resumable(resumed, path, CountingClock(10**6))
    assert not path.exists()
    for name, value in _result(uninterrupted).items():
        assert torch.equal(value, _result(resumed)[name])


def test_fast_math_leaves_accuracy_unchanged():
    """TF32 (CUDA only; float32 everywhere on CPU) changes test accuracy by at most one test image in
    50 per model: the logits move by ~1e-3 relative, which flips only near-ties."""
    from empirical.packed import set_fast_math

    device = DEVICES[-1]
    x, y, test_x, test_y = (t.to(device) for t in _training_data())
    config = Configuration("sgd", "convnet-w32", epochs=3, batch_size=16)
    accuracies = {}
    for fast in (False, True):
        set_fast_math(fast)
        work = PackedTraining(x, y, config, [seeded_generator(s, device) for s in (5, 6, 7)])
        work.run()
        accuracies[fast] = [a for a, _ in evaluate_packed(work, test_x, test_y)]
    set_fast_math(False)
    assert all(abs(a - b) <= 1 / 50 for a, b in zip(accuracies[False], accuracies[True]))


SLOW_RESUMABLE = """
import sys, time
from empirical.checkpoint import WallClock, run_resumable
from tests.test_packed import _fresh_works
work = _fresh_works()[int(sys.argv[2])]
run = work.run
work.run = lambda deadline: run(lambda: time.sleep(0.2) or deadline())
run_resumable(work, sys.argv[1], WallClock(None), every_seconds=0)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL")
def test_sigkilled_run_resumes_from_its_last_checkpoint(tmp_path):
    import signal
    import time

    path = tmp_path / "work.pt"
    process = subprocess.Popen([sys.executable, "-c", SLOW_RESUMABLE, str(path), "1"], cwd=ROOT)
    try:
        for _ in range(600):
            if path.exists() or process.poll() is not None:
                break
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert path.exists(), "the run should have written a checkpoint before it was killed"
    uninterrupted, resumed = _fresh_works()[1], _fresh_works()[1]
    uninterrupted.run()
    assert torch.load(path)["iteration"] < uninterrupted.iteration
    run_resumable(resumed, path, CountingClock(10**6))
    assert torch.equal(uninterrupted.images, resumed.images)


def test_window_modules_import_no_heavy_dependencies():
    code = ("import sys, empirical.gpu_window, empirical.packed, empirical.packed_trials, empirical.checkpoint\n"
            "print([m for m in ('ot', 'matplotlib', 'hypothesis', 'sympy', 'pandas', 'theorems') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.fixture
def tiny_window(tmp_path, monkeypatch):
    """A fake Fashion-MNIST folder (IDX .gz, 28×28, 15 train / 5 test images per class) and a tiny preset."""
    from empirical import datasets, presets, trials

    rng = np.random.default_rng(0)
    data = tmp_path / "fashion-mnist"
    data.mkdir()
    for split, per_class in (("train", 15), ("test", 5)):
        labels = np.repeat(np.arange(10), per_class).astype(np.uint8)
        images = (rng.random((labels.size, 28, 28)) * 255 * (1 + labels[:, None, None]) / 10).astype(np.uint8)
        image_file, label_file = datasets.FASHION_MNIST_FILES[split]
        write_idx(data / image_file, images)
        write_idx(data / label_file, labels)
    tiny = presets.Preset(
        name="window-tiny", description="test", train_per_class=12, test_size=40, image_size=14,
        family=configuration_family("convnet-w32", ("convnet-w64", "mlp"), epochs=2),
        scaling_configurations=("convnet-w32-sgd",), methods=("dm", "random", "gm"), ipcs=(1, 2),
        distill_seeds=(0, 1), eval_seeds=(0, 1), full_epochs=1, base_iterations={"dm": 3, "gm": 1},
        per_ipc_iterations={}, real_batch=4, gm_outer_cap=1, gm_inner_cap=1, coverage_sizes=(2,),
        coverage_draws=1, coverage_ipcs=(1,), coverage_methods=("dm",), coverage_pool=2)
    monkeypatch.setitem(presets.PRESETS, tiny.name, tiny)
    monkeypatch.setenv("DDTHEORY_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv(datasets.FASHION_MNIST_ENV, str(data))
    trials.load_data.cache_clear()
    yield tiny, data
    trials.load_data.cache_clear()


def test_window_runs_resumes_and_writes_small_outputs(tiny_window, tmp_path):
    from empirical.gpu_window import run_window

    tiny, data = tiny_window
    first = run_window(0.002, data, tmp_path / "runs.sqlite", tmp_path / "out1", tiny.name, reserve_seconds=0)
    assert first["trials_done"] < len(tiny.specs())
    second = run_window(5, data, tmp_path / "runs.sqlite", tmp_path / "out2", tiny.name, reserve_seconds=0)
    assert second["store_trials"] == second["preset_trials"] == len(tiny.specs())
    assert first["trials_done"] + second["trials_done"] == len(tiny.specs())
    out = tmp_path / "out2"
    for name in ("runs.sqlite", "runs.jsonl", "summary.json"):
        assert 0 < (out / name).stat().st_size < 16 * 2**20
    summary = json.loads((out / "summary.json").read_text())
    assert summary["stopped"] == "all trials finished" and summary["iterations_per_second"]["dm"]
    assert summary["figure"] == "accuracy.png" and (out / "accuracy.png").stat().st_size > 0
    rows = [json.loads(line) for line in (out / "runs.jsonl").read_text().splitlines()]
    assert {row["spec"]["method"] for row in rows} == {"full", "dm", "random", "gm"}
    assert all(row["metrics"]["engine"] == "packed" for row in rows)
    assert all(0 <= e["accuracy"] <= 1 for row in rows for e in row["metrics"]["evaluations"])


def test_window_trial_equals_the_one_model_trial(tiny_window, tmp_path):
    from empirical.packed_trials import run_group
    from empirical.trials import run_trial

    tiny, _ = tiny_window
    spec = next(s for s in tiny.specs() if s.method == "dm" and s.ipc == 2)
    (_, packed), = run_group([spec], tiny, tmp_path / "work")
    single = run_trial(spec)
    for a, b in zip(packed.metrics["evaluations"], single.metrics["evaluations"]):
        assert a["accuracy"] == b["accuracy"] and abs(a["loss"] - b["loss"]) <= LOSS_TOLERANCE


def test_window_command_rejects_bad_input(tmp_path):
    from empirical.gpu_window import main

    with pytest.raises(SystemExit) as exit_:
        main(["--minutes", "0", "--data", str(tmp_path), "--store", str(tmp_path / "s.sqlite"), "--out", str(tmp_path)])
    assert exit_.value.code == 2
    with pytest.raises(SystemExit) as exit_:
        main(["--minutes", "1", "--data", str(tmp_path), "--store", str(tmp_path / "s.sqlite"), "--out", str(tmp_path)])
    assert exit_.value.code == 2


def test_gpu_preset_plan_puts_dm_and_random_at_every_k_first():
    from empirical.gpu_window import plan
    from empirical.presets import preset

    chosen = preset("gpu-h200")
    order = [(g[0].method, g[0].ipc, g[0].option("augment")) for g in plan(chosen, set())]
    ks = list(chosen.ipcs)
    assert order[:1 + 2 * len(ks)] == ([("full", 0, None)] + [("random", k, "none") for k in ks]
                                       + [("dm", k, "none") for k in ks])
    assert sum(len(g) for g in plan(chosen, set())) == len(chosen.specs())


def test_sweep_refuses_the_one_model_engine_for_a_fixed_step_preset(tmp_path):
    from empirical.sweep import main

    with pytest.raises(SystemExit) as exit_:
        main(["--preset", "gpu-h200", "--store", str(tmp_path / "s.sqlite"), "--engine", "one"])
    assert exit_.value.code == 2
