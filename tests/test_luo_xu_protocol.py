"""The evaluation protocol (issue 11): steps independent of k, DSA at evaluation iff the set was
distilled with it, MTT's learned step size used, the protocol recorded in every run row."""

from dataclasses import replace

import pytest

torch = pytest.importorskip("torch")

from constructions import configurations  # noqa: E402
from constructions.configurations import Configuration, train  # noqa: E402
from empirical import presets, trials  # noqa: E402
from empirical.presets import AUGMENTATION_SETS, CPU, CPU_STEPS, SMOKE, Protocol  # noqa: E402
from empirical.store import TrialSpec  # noqa: E402
from tests.torch_support import one_torch_thread  # noqa: F401,E402  (autouse fixture)

CONFIG = CPU_STEPS.configuration("convnet-w32-d2-sgd")


def spec(method="dm", ipc=1, augment="none", chosen=CPU_STEPS):
    return TrialSpec(method, ipc, (CONFIG.name,), 0, (0,), chosen.name, (("augment", augment),))


def test_steps_do_not_depend_on_k():
    steps = {trials.evaluation_recipe(CPU_STEPS, spec(ipc=k), CONFIG)[1:] for k in CPU_STEPS.ipcs}
    assert steps == {(None, CPU_STEPS.protocol.eval_steps)}
    assert CPU_STEPS.protocol.eval_steps >= CPU_STEPS.step_floor() == 300 * 2  # 320 images at batch 256


def test_reference_trains_its_own_step_count():
    config, epochs, steps = trials.evaluation_recipe(CPU_STEPS, spec(method="full", ipc=0), CONFIG)
    assert (config, epochs, steps) == (CONFIG, None, CPU_STEPS.protocol.full_steps)


def test_epochs_protocol_keeps_the_old_recipe():
    config = CPU.configuration("convnet-w32-sgd")
    assert trials.evaluation_recipe(CPU, spec(ipc=32, augment="dsa", chosen=CPU), config, 0.0131) == (config, None, None)
    assert trials.evaluation_recipe(CPU, spec(method="full", ipc=0, chosen=CPU), config)[1] == CPU.full_epochs


@pytest.mark.parametrize("augment", ["none", "dsa"])
def test_dsa_at_evaluation_iff_distilled_with_it(augment):
    config = trials.evaluation_recipe(CPU_STEPS, spec(augment=augment), CONFIG)[0]
    expected = AUGMENTATION_SETS["dsa"] if augment == "dsa" else ()
    assert config.augmentation == expected


def test_dsa_keeps_the_configuration_augmentations_once():
    own = replace(CONFIG, augmentation=("flip", "crop"))
    config = trials.evaluation_recipe(CPU_STEPS, spec(augment="dsa"), own)[0]
    assert config.augmentation[:2] == ("flip", "crop") and sorted(config.augmentation) == sorted(AUGMENTATION_SETS["dsa"])


def test_learned_step_size_is_used():
    assert trials.evaluation_recipe(CPU_STEPS, spec(method="mtt"), CONFIG, 0.0131)[0].lr == 0.0131
    assert trials.evaluation_recipe(CPU_STEPS, spec(method="dm"), CONFIG, None)[0].lr == CONFIG.lr


def test_train_takes_exactly_the_requested_steps(monkeypatch):
    taken = []

    class Counting(torch.optim.SGD):
        def step(self, closure=None):
            taken.append(1)
            return super().step(closure)

    monkeypatch.setitem(configurations.OPTIMISERS, "sgd",
                        lambda params, lr, wd: Counting(params, lr=lr, momentum=0.9, weight_decay=wd))
    config = Configuration("tiny", "mlp", epochs=50, batch_size=4)
    for n in (3, 10):
        taken.clear()
        train(torch.randn(n, 1, 8, 8), torch.arange(n) % 10, config, 0, steps=7)
        assert len(taken) == 7
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        train(torch.randn(3, 1, 8, 8), torch.arange(3), config, 0, steps=0)


def test_a_step_protocol_below_the_floor_is_refused():
    with pytest.raises(ValueError, match="fewer than 300 epochs of its largest set"):
        replace(CPU_STEPS, name="short", protocol=replace(CPU_STEPS.protocol, eval_steps=599))


def test_protocol_fields_are_validated():
    with pytest.raises(ValueError, match="eval_steps must be an integer >= 1"):
        Protocol("bad", eval_steps=0)
    with pytest.raises(ValueError, match="tolerance goes with"):
        Protocol("bad", tolerance=1e-3)


@pytest.mark.fashion_mnist
def test_rows_record_the_protocol_and_what_each_network_trained_with(tmp_path, monkeypatch):
    monkeypatch.setenv("DDTHEORY_CACHE", str(tmp_path))
    steps = replace(SMOKE, name="smoke-steps-test", ipcs=(1, 2), coverage_ipcs=(),
                    protocol=Protocol("steps", eval_steps=300, full_steps=5, dsa_at_evaluation=True, learned_lr=True))
    monkeypatch.setitem(presets.PRESETS, steps.name, steps)
    rows = {}
    for method, ipc in (("mtt", 1), ("random", 2)):
        result = trials.run_trial(TrialSpec(method, ipc, ("convnet-w32-sgd",), 0, (0,), steps.name,
                                            (("augment", "dsa"),)))
        assert result.metrics["protocol"] == steps.protocol.as_dict()
        rows[method] = result.metrics
    mtt, random = rows["mtt"]["evaluations"][0], rows["random"]["evaluations"][0]
    assert mtt["steps"] == random["steps"] == 300
    base_lr = SMOKE.configuration("convnet-w32-sgd").lr
    assert mtt["lr"] == rows["mtt"]["learned_lr"] != base_lr and random["lr"] == base_lr
    assert mtt["augmentation"] == random["augmentation"] == list(AUGMENTATION_SETS["dsa"])


def test_gpu_h200_declares_the_fixed_steps_its_engine_runs():
    from empirical.packed_trials import FIXED_EVALUATION_STEPS
    from empirical.presets import GPU_H200

    assert GPU_H200.protocol.eval_steps == FIXED_EVALUATION_STEPS["gpu-h200"] == GPU_H200.step_floor()
    assert GPU_H200.protocol.full_steps is None  # the packed engine trains the reference full_epochs epochs
    assert not GPU_H200.protocol.dsa_at_evaluation and not GPU_H200.protocol.learned_lr
    assert "300 SGD steps whatever its k" in GPU_H200.description
