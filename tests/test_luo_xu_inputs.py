"""Bad input to the luo-xu distillers, configurations, presets, store and fits: one-line ValueErrors."""

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from empirical import laws
from empirical.store import TrialSpec

torch = pytest.importorskip("torch")

from constructions.augment import augment  # noqa: E402
from constructions.configurations import Configuration, configuration_family  # noqa: E402
from constructions.matching import DistillSettings, RealData, distill  # noqa: E402
from empirical.presets import SMOKE, preset  # noqa: E402
from tests.torch_support import one_torch_thread  # noqa: F401  (autouse fixture)

ROOT = Path(__file__).resolve().parent.parent


def tiny_data():
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(20, 1, 8, 8, generator=generator)
    return RealData(images, torch.arange(10).repeat(2), 10, 0.0, 1.0)


@pytest.mark.parametrize("changes,match", [
    ({"architecture": "resnet"}, "unknown architecture 'resnet'; valid: convnet"),
    ({"optimiser": "lbfgs"}, "unknown optimiser 'lbfgs'; valid: sgd, adam"),
    ({"schedule": "warmup"}, "unknown schedule"),
    ({"lr": 0.0}, "learning rate must be positive"),
    ({"lr": float("nan")}, "learning rate must be positive"),
    ({"epochs": 0}, "epochs and batch size"),
    ({"weight_decay": -1.0}, "weight decay"),
    ({"augmentation": ("mixup",)}, "unknown augmentation"),
])
def test_configuration_rejects(changes, match):
    with pytest.raises(ValueError, match=match):
        Configuration("bad", **changes)


def test_distiller_rejects_bad_input():
    data = tiny_data()
    family = configuration_family("mlp", ("convnet-w32", "convnet-w64"), epochs=1)
    with pytest.raises(ValueError, match="ipc .* must be an integer >= 1"):
        DistillSettings(ipc=0, iterations=1, seed=0)
    with pytest.raises(ValueError, match="unknown init"):
        DistillSettings(ipc=1, iterations=1, seed=0, init="zeros")
    with pytest.raises(ValueError, match="unknown method 'kip'; valid: dm, gm, mtt, random"):
        distill("kip", data, family, DistillSettings(ipc=1, iterations=1, seed=0))
    with pytest.raises(ValueError, match="configuration family is empty"):
        distill("dm", data, (), DistillSettings(ipc=1, iterations=1, seed=0))
    with pytest.raises(ValueError, match="MTT needs expert trajectories"):
        distill("mtt", data, family, DistillSettings(ipc=1, iterations=1, seed=0))
    with pytest.raises(ValueError, match="NaN or inf"):
        RealData(torch.full((20, 1, 8, 8), float("nan")), torch.arange(10).repeat(2), 10, 0.0, 1.0)
    with pytest.raises(ValueError, match="every class"):
        RealData(torch.zeros(4, 1, 8, 8), torch.zeros(4, dtype=torch.long), 10, 0.0, 1.0)
    with pytest.raises(ValueError, match="unknown augmentation"):
        augment(data.images, ("mixup",), torch.Generator().manual_seed(0))


def test_preset_and_spec_reject_bad_input():
    with pytest.raises(ValueError, match="configuration family is empty"):
        dataclasses.replace(SMOKE, family=())
    with pytest.raises(ValueError, match="IPC must be an integer >= 1"):
        dataclasses.replace(SMOKE, ipcs=(0, 1))
    with pytest.raises(ValueError, match="unknown method 'kip'; valid: dm, gm, mtt, random"):
        dataclasses.replace(SMOKE, methods=("kip",))
    with pytest.raises(ValueError, match="unknown preset 'huge'; valid: smoke"):
        preset("huge")
    with pytest.raises(ValueError, match="at least one configuration"):
        TrialSpec("dm", 1, (), 0, (0,), "smoke")


def test_sweep_cli_bad_preset_exits_2_and_writes_nothing(tmp_path):
    store = tmp_path / "runs.sqlite"
    result = subprocess.run([sys.executable, "-m", "empirical.sweep", "--preset", "huge", "--store", str(store)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "valid: smoke" in result.stderr
    assert not store.exists()


def test_fits_reject_bad_input():
    with pytest.raises(ValueError, match="finite"):
        laws.assess_scaling([1, 2, 4], [0.1, np.nan, 0.2], [0, 0, 0])
    with pytest.raises(ValueError, match="equal-length"):
        laws.assess_scaling([1, 2, 4], [0.1, 0.2], [0, 0, 0])
    with pytest.raises(ValueError, match=">= 1"):
        laws.assess_scaling([0, 2, 4], [0.1, 0.2, 0.3], [0, 0, 0])
    with pytest.raises(ValueError, match="at least 2 distinct"):
        laws.fit_line([1, 1, 1], [0.1, 0.2, 0.3], [0, 1, 2])
    with pytest.raises(ValueError, match="M .* must be >= 1"):
        laws.assess_coverage([1, 2], [0, 2], [0.1, 0.2], [0.1, 0.2], [0, 1])
