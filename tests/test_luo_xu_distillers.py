"""Distillers and augmentation on tiny data: determinism under a seed, gradients reach the pixels,
the GM loop rule, the synthetic set round-trips with its normalisation and spec."""

import pytest

torch = pytest.importorskip("torch")

from constructions.augment import AUGMENTATIONS, augment_pair  # noqa: E402
from constructions.configurations import Configuration, evaluate, train  # noqa: E402
from constructions.matching import (DistillSettings, RealData, SyntheticSet, distill, gm_loops,  # noqa: E402
                                    train_expert)
from tests.torch_support import one_torch_thread  # noqa: F401,E402  (autouse fixture)


def tiny_data():
    generator = torch.Generator().manual_seed(0)
    return RealData(torch.randn(40, 1, 8, 8, generator=generator), torch.arange(10).repeat(4), 10, 0.5, 0.25)


CONFIGS = (Configuration("tiny", "convnet-w32", epochs=2), Configuration("tiny-mlp", "mlp", epochs=2))


@pytest.mark.parametrize("method", ["dm", "gm", "mtt", "random"])
def test_distiller_is_deterministic_and_moves_pixels(method, tmp_path):
    data = tiny_data()
    experts = {"convnet-w32": [train_expert(data, "convnet-w32", 0, 3)], "mlp": [train_expert(data, "mlp", 0, 3)]}
    settings = DistillSettings(ipc=2, iterations=2, seed=3, real_batch=2, gm_outer_cap=2, gm_inner_cap=1,
                               mtt_steps=2, mtt_max_start_epoch=1, augmentation=("flip", "crop"))
    first = distill(method, data, CONFIGS, settings, experts=experts.__getitem__)
    second = distill(method, data, CONFIGS, settings, experts=experts.__getitem__)
    assert torch.equal(first.images, second.images)
    assert first.images.shape == (20, 1, 8, 8) and first.labels.tolist() == torch.arange(10).repeat_interleave(2).tolist()
    initial = distill("random", data, CONFIGS, settings)
    assert torch.equal(first.images, initial.images) == (method == "random")
    first.save(tmp_path / "set.pt")
    loaded = SyntheticSet.load(tmp_path / "set.pt")
    assert (loaded.mean, loaded.std, loaded.spec["method"]) == (0.5, 0.25, method)
    accuracy, loss = evaluate(train(loaded.images, loaded.labels, CONFIGS[0], seed=0), data.images, data.labels)
    assert 0 <= accuracy <= 1 and loss > 0


def test_noise_initialisation_differs_from_real():
    data = tiny_data()
    noise = distill("dm", data, CONFIGS[:1], DistillSettings(ipc=1, iterations=0, seed=0, init="noise"))
    real = distill("dm", data, CONFIGS[:1], DistillSettings(ipc=1, iterations=0, seed=0, init="real"))
    assert not torch.equal(noise.images, real.images)


def test_augmentations_are_siamese_and_differentiable():
    generator = torch.Generator().manual_seed(1)
    real = torch.randn(3, 1, 8, 8, generator=generator)
    synthetic = real.clone().requires_grad_(True)
    for name in AUGMENTATIONS:
        a, b = augment_pair(real, synthetic, (name,), torch.Generator().manual_seed(7))
        assert torch.allclose(a, b), f"{name} drew different parameters for the two batches"
        (grad,) = torch.autograd.grad(b.sum(), synthetic)
        assert grad.abs().sum() > 0, f"no gradient through {name}"


def test_gm_loop_rule():
    assert gm_loops(1, 10, 50) == (1, 50)
    assert gm_loops(10, 10, 50) == (10, 5)
    assert gm_loops(50, 10, 50) == (10, 1)
    assert gm_loops(7, 2, 10) == (2, 1)


def test_normalised_dm_loss_ignores_the_embedding_scale():
    """With dm_normalise the DM loss is the same for embeddings e and c·e (c > 0); the plain loss scales by c²
    (the planted failure: without normalisation a 45× larger embedding gives a 2025× larger loss)."""
    from constructions.matching import dm_loss, normalised_embeddings

    generator = torch.Generator().manual_seed(1)
    real, synthetic = torch.randn(10 * 4, 6, generator=generator), torch.randn(10 * 2, 6, generator=generator)

    def normalised(c):
        r, s = normalised_embeddings(c * real, c * synthetic)
        return dm_loss(r.reshape(10, 4, -1), s.reshape(10, 2, -1))

    assert torch.allclose(normalised(45.0), normalised(1.0), rtol=1e-5)
    plain = dm_loss((45.0 * real).reshape(10, 4, -1), (45.0 * synthetic).reshape(10, 2, -1))
    assert torch.allclose(plain, 45.0**2 * dm_loss(real.reshape(10, 4, -1), synthetic.reshape(10, 2, -1)), rtol=1e-5)
    assert not torch.allclose(plain, normalised(1.0), rtol=1e-2)


def test_normalised_dm_runs_and_is_deterministic():
    data = tiny_data()
    settings = DistillSettings(ipc=2, iterations=2, seed=3, real_batch=2, lr_images=10.0, dm_normalise=True)
    first, second = (distill("dm", data, CONFIGS, settings) for _ in range(2))
    assert torch.equal(first.images, second.images) and torch.isfinite(first.images).all()
    assert not torch.equal(first.images, distill("random", data, CONFIGS, settings).images)
