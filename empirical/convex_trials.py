"""Trials of the ``convex`` testbed: condensed features scored by a convex model at its optimum.

Features: every Fashion-MNIST image (60k train, 10k test, 28×28, normalised by the training
pixel mean and standard deviation) goes through one frozen, randomly initialised network (the
preset's ``feature_network``, seed :data:`FEATURE_SEED`); its penultimate embeddings are then
standardised per dimension by the training mean and standard deviation (dimensions with zero
training variance are dropped). They are computed once and cached under ``$DDTHEORY_CACHE``
(written to a temporary file and renamed into place).

A trial condenses the training features to k points per class (:mod:`constructions.convex_testbed`:
``dm``, ``gm``, ``random``; ``full`` keeps all 60k), fits the preset's configuration (an
L2-regularised multinomial logistic regression, λ = its ``weight_decay``) once per evaluation seed
(the seed draws the L-BFGS start) until every test logit is certified within the protocol's
``tolerance`` of the optimum's (:func:`logit_error_bound`; F is strongly convex, so every seed
reaches the same optimum), and records test accuracy, test cross-entropy, the gradient norm, the
logit bound and the share of test points that bound leaves undecided (the accuracy's certified
uncertainty), in the same row format as the ConvNet trials.
"""

from __future__ import annotations

import functools
import hashlib
import time

import numpy as np

from empirical.files import atomic_path
from empirical.presets import REFERENCE_METHOD, Preset
from empirical.store import TrialResult, TrialSpec

FEATURE_SEED = 30_000
FEATURE_BATCH = 1000


def _embed(network, images: np.ndarray, mean: float, std: float):
    import torch

    out = []
    with torch.no_grad():
        for start in range(0, images.shape[0], FEATURE_BATCH):
            x = torch.tensor(images[start:start + FEATURE_BATCH], dtype=torch.float32)[:, None]
            out.append(network.embed((x - mean) / std))
    return torch.cat(out)


@functools.lru_cache(maxsize=2)
def load_features(architecture: str):
    """(train features, train labels, test features, test labels) for ``architecture``, cached."""
    import torch

    from constructions.networks import build_network, seeded_generator
    from empirical.datasets import load_fashion_mnist
    from empirical.trials import cache_dir, load_cached

    digest = hashlib.sha256(f"fashion-mnist|28|{architecture}|{FEATURE_SEED}|standardised".encode()).hexdigest()[:16]
    path = cache_dir() / f"convex-features-{digest}.pt"
    if path.exists():
        return load_cached(path)
    images, labels = load_fashion_mnist("train", flatten=False)
    test_images, test_labels = load_fashion_mnist("test", flatten=False)
    mean, std = float(images.mean()), float(images.std())
    network = build_network(architecture, channels=1, num_classes=10, image_size=28,
                            generator=seeded_generator(FEATURE_SEED)).eval()
    train, test = _embed(network, images, mean, std), _embed(network, test_images, mean, std)
    centre, scale = train.mean(0), train.std(0)
    keep = scale > 0
    features = ((train[:, keep] - centre[keep]) / scale[keep], torch.tensor(labels).long(),
                (test[:, keep] - centre[keep]) / scale[keep], torch.tensor(test_labels).long())
    with atomic_path(path) as temporary:
        torch.save(features, temporary)
    return features


def logit_error_bound(gradient_norm: float, regularisation: float, test_features) -> float:
    """Certified bound on how far any test logit is from the optimum's: F is λ-strongly convex, so
    ‖θ − θ*‖ ≤ ‖∇F(θ)‖/λ, and a logit moves by at most ‖θ − θ*‖·‖(x, 1)‖."""
    import torch

    reach = float(torch.sqrt(test_features.double().square().sum(1) + 1).max())
    return gradient_norm * reach / regularisation


def undecided_fraction(fit, test_features, bound: float) -> float:
    """Fraction of test points whose top-two logit margin is at most 2·bound: the only ones whose
    prediction the optimum could change, so the accuracy at the optimum is within this of the fit's."""
    import torch

    logits = test_features.double() @ fit.weight.T + fit.bias
    top = torch.topk(logits, 2, dim=1).values
    return float(((top[:, 0] - top[:, 1]) <= 2 * bound).double().mean())


def gradient_tolerance(logit_error: float, regularisation: float, test_features) -> float:
    """The gradient norm at which :func:`logit_error_bound` equals ``logit_error``."""
    return logit_error / logit_error_bound(1.0, regularisation, test_features)


def run_convex_trial(chosen: Preset, spec: TrialSpec) -> TrialResult:
    """Condense (or keep every point), then fit and score once per configuration and eval seed."""
    from constructions.convex_testbed import condense, evaluate_logistic, fit_logistic
    from empirical.trials import EVAL_SEED_OFFSET

    features, labels, test_features, test_labels = load_features(chosen.feature_network)
    clock = time.perf_counter()
    metrics: dict = {"protocol": chosen.protocol.as_dict()}
    if spec.method == REFERENCE_METHOD:
        points, point_labels = features, labels
    else:
        iterations = chosen.iterations(spec.method, spec.ipc)
        points, point_labels = condense(spec.method, features, labels, spec.ipc, 10, spec.distill_seed,
                                        gm_iterations=iterations, gm_real_batch=chosen.real_batch,
                                        gm_lr=chosen.lr_images.get("gm", 0.05))
        metrics["iterations"] = iterations if spec.method == "gm" else 0
    metrics["distill_seconds"] = time.perf_counter() - clock
    clock = time.perf_counter()
    evaluations = []
    for name in spec.configurations:
        config = chosen.configuration(name)
        tolerance = gradient_tolerance(chosen.protocol.tolerance, config.weight_decay, test_features)
        for seed in spec.eval_seeds:
            fit = fit_logistic(points, point_labels, 10, config.weight_decay, EVAL_SEED_OFFSET + seed,
                               tolerance=tolerance)
            accuracy, loss = evaluate_logistic(fit, test_features, test_labels)
            bound = logit_error_bound(fit.gradient_norm, config.weight_decay, test_features)
            evaluations.append({"configuration": name, "eval_seed": seed, "accuracy": accuracy, "loss": loss,
                                "gradient_norm": fit.gradient_norm, "solver_iterations": fit.iterations,
                                "logit_error_bound": bound,
                                "accuracy_uncertainty": undecided_fraction(fit, test_features, bound)})
    metrics["eval_seconds"] = time.perf_counter() - clock
    metrics["evaluations"] = evaluations
    return TrialResult(metrics, "cpu")
