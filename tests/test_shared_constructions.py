"""The shared KRR core and the network factory: agreement of solver forms, seeding, bad input."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from constructions.feature_maps import RandomFourierFeatures
from constructions.krr import RidgeSweep, accuracy, feature_moments, features, fit_ridge_full_lambda
from theorems.tolerances import unit_roundoff


def test_primal_dual_and_sweep_agree():
    rng = np.random.default_rng(0)
    for n, p in [(40, 6), (6, 40)]:
        F, Y = rng.normal(size=(n, p)), rng.normal(size=(n, 3))
        sweep = RidgeSweep.prepare(F, Y)
        for lam in (1e-3, 1.0, 10.0):
            direct = np.linalg.solve(F.T @ F + lam * np.eye(p), F.T @ Y)
            assert np.allclose(fit_ridge_full_lambda(F, Y, lam), direct, rtol=1e-9, atol=1e-12)
            assert np.allclose(sweep.weights(lam), direct, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("rows_per_block", [1, 7, 50, 1000])
def test_feature_moments_equal_the_whole_products(rows_per_block):
    """Blocked FᵀF and FᵀY agree with the products of the whole F to summation rounding, 10·n·u·‖F‖²
    (entrywise; each entry is an n-term inner product of rows bounded by ‖F‖)."""
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(120, 5)), rng.normal(size=(120, 3))
    feature_map = RandomFourierFeatures.seeded(5, 4, seed=2)
    F = feature_map(X)
    gram, moment = feature_moments(feature_map, X, Y, rows_per_block=rows_per_block)
    bound = 10 * F.shape[0] * unit_roundoff() * np.linalg.norm(F) * max(np.linalg.norm(F), np.linalg.norm(Y))
    assert np.max(np.abs(gram - F.T @ F)) <= bound and np.max(np.abs(moment - F.T @ Y)) <= bound
    # a planted error (one block counted twice) is far outside the bound
    doubled = gram + F[:1].T @ F[:1]
    assert np.max(np.abs(doubled - F.T @ F)) > bound


def test_blocked_results_do_not_depend_on_threads():
    """One worker and three give bit-identical features, and moments equal to summation rounding."""
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(300, 6)), rng.normal(size=(300, 2))
    feature_map = RandomFourierFeatures.seeded(6, 5, seed=5)
    assert np.array_equal(features(feature_map, X, rows_per_block=16, workers=1),
                          features(feature_map, X, rows_per_block=16, workers=3))
    assert np.array_equal(features(feature_map, X, rows_per_block=16, workers=3), feature_map(X))
    one = feature_moments(feature_map, X, Y, rows_per_block=16, workers=1)
    three = feature_moments(feature_map, X, Y, rows_per_block=16, workers=3)
    assert np.array_equal(three[0], feature_moments(feature_map, X, Y, rows_per_block=16, workers=3)[0])
    bound = 10 * X.shape[0] * unit_roundoff() * np.linalg.norm(feature_map(X)) ** 2
    assert np.max(np.abs(one[0] - three[0])) <= bound


def test_feature_moments_rejects_bad_blocks():
    with pytest.raises(ValueError, match="rows_per_block"):
        feature_moments(lambda X: X, np.ones((3, 2)), np.ones((3, 1)), rows_per_block=0)
    with pytest.raises(ValueError, match="workers"):
        feature_moments(lambda X: X, np.ones((3, 2)), np.ones((3, 1)), workers=0)
    with pytest.raises(ValueError, match="at least one row"):
        feature_moments(lambda X: X, np.ones((3, 2)), np.ones((3, 1)), rows=[])


def test_sweep_accuracies_match_one_fit_per_lambda():
    rng = np.random.default_rng(3)
    F, labels = rng.normal(size=(200, 6)), rng.integers(0, 3, size=200)
    sweep = RidgeSweep.prepare(F[:150], np.eye(3)[labels[:150]])
    lambdas = (1e-3, 1.0, 1e3)
    expected = [accuracy(F[150:], labels[150:], sweep.weights(lam)) for lam in lambdas]
    assert list(sweep.accuracies(F[150:], labels[150:], lambdas)) == expected
    with pytest.raises(ValueError, match="primal"):
        RidgeSweep.prepare(F[:4], np.eye(3)[labels[:4]]).accuracies(F[:4], labels[:4], lambdas)


@pytest.mark.parametrize("bad,message", [
    (dict(F=np.ones((3, 2)), Y=np.ones((4, 1)), lam=1.0), "must match"),
    (dict(F=np.full((3, 2), np.nan), Y=np.ones((3, 1)), lam=1.0), "non-finite"),
    (dict(F=np.ones((3, 2)), Y=np.ones((3, 1)), lam=-1.0), "λ must be"),
])
def test_fit_ridge_rejects_bad_input(bad, message):
    with pytest.raises(ValueError, match=message):
        fit_ridge_full_lambda(**bad)


def test_accuracy_checks_label_shape():
    with pytest.raises(ValueError, match="labels must have shape"):
        accuracy(np.ones((3, 2)), np.zeros(4), np.ones((2, 2)))


def test_networks_are_pure_functions_of_their_seed():
    torch = pytest.importorskip("torch")
    from constructions.networks import build_network, seeded_generator

    a = build_network("convnet-w32", generator=seeded_generator(3))
    b = build_network("convnet-w32", generator=seeded_generator(3))
    c = build_network("convnet-w32", generator=seeded_generator(4))
    assert all(torch.equal(x, y) for x, y in zip(a.parameters(), b.parameters()))
    assert not all(torch.equal(x, y) for x, y in zip(a.parameters(), c.parameters()))
    with pytest.raises(ValueError, match="valid: convnet"):
        build_network("resnet", generator=seeded_generator(0))


def test_finiteness_check_survives_an_overflowing_sum():
    """The one-pass check sums the entries; finite entries whose sum overflows are still accepted, and a
    single NaN or inf among them is still counted."""
    from constructions.validation import as_matrix

    huge = np.full((3, 2), 1e308)
    assert as_matrix(huge, "X") is huge
    for bad in (np.nan, np.inf, -np.inf):
        planted = huge.copy()
        planted[1, 1] = bad
        with pytest.raises(ValueError, match="X contains 1 non-finite"):
            as_matrix(planted, "X")


@pytest.mark.parametrize("condition", [1e0, 1e4, 1e10, 1e13, 1e15, 1e17])
def test_min_norm_solver_rank_follows_numpys_rule(condition):
    """The LU + condition-estimate shortcut decides rank as numpy's matrix_rank does, also next to the
    cut (κ ≈ 1/(n·eps) ≈ 5·10¹³ for n = 40), and solves as np.linalg.solve / lstsq do."""
    from constructions.feature_maps import MinNormSolver

    rng = np.random.default_rng(7)
    n = 40
    U, _ = np.linalg.qr(rng.normal(size=(n, n)))
    V, _ = np.linalg.qr(rng.normal(size=(n, n)))
    M = (U * np.logspace(0, -np.log10(condition), n)) @ V.T
    solver = MinNormSolver(M)
    assert solver.rank == np.linalg.matrix_rank(M)
    rhs = rng.normal(size=(n, 3))
    reference = np.linalg.solve(M, rhs) if solver.rank == n else np.linalg.lstsq(M, rhs, rcond=None)[0]
    assert np.allclose(solver.solve(rhs), reference, rtol=1e-6 * min(condition, 1e10), atol=0)


def test_min_norm_solver_on_singular_and_wide_matrices():
    from constructions.feature_maps import MinNormSolver

    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert MinNormSolver(singular).rank == 1 and not MinNormSolver(singular).full_row_rank
    assert MinNormSolver(np.zeros((3, 3))).rank == 0
    wide = np.random.default_rng(8).normal(size=(2, 5))
    solver = MinNormSolver(wide)
    assert solver.full_row_rank and not MinNormSolver(wide.T).full_row_rank
    rhs = np.array([1.0, -2.0])
    assert np.allclose(solver.solve(rhs), np.linalg.pinv(wide) @ rhs)


def test_map_tasks_keeps_task_order_for_any_worker_count():
    from constructions.blocks import map_tasks

    def task(seed):  # LAPACK work on the task's own generator
        return np.linalg.svd(np.random.default_rng(seed).normal(size=(30, 20)), compute_uv=False)

    with threadpool_limits(1):
        one = map_tasks(task, list(range(7)), workers=1)
        three = map_tasks(task, list(range(7)), workers=3)
    assert all(np.array_equal(a, b) for a, b in zip(one, three))
    assert map_tasks(task, [], workers=2) == []
    with pytest.raises(ValueError, match="workers"):
        map_tasks(task, [1], workers=0)


def test_table3_does_not_depend_on_the_number_of_workers():
    """Each distillation cell has its own generator, so running the cells in parallel (in any order)
    gives the same table as running them one by one."""
    from empirical.krr_table3 import run_table3

    rng = np.random.default_rng(9)
    d, classes = 12, 10
    centres = rng.normal(size=(classes, d))
    labels, test_labels = rng.integers(0, classes, size=400), rng.integers(0, classes, size=100)
    data = (centres[labels] + rng.normal(size=(400, d)), labels,
            centres[test_labels] + rng.normal(size=(100, d)), test_labels)
    with threadpool_limits(1):
        tables = [run_table3(seeds=(0, 1), ipcs=(1, 2), data=data, workers=w) for w in (1, 3)]
    assert tables[0] == tables[1]
    assert {(row.feature_map, row.ipc, row.mode) for row in tables[0]} == {
        (name, ipc, mode) for name in ("linear", "leaky-relu", "rff") for ipc in (1, 2) for mode in ("noise", "real")}


def test_min_norm_solver_is_safe_in_parallel_threads():
    """Solves sharing one LU in parallel threads equal the sequential ones (scipy's getrs wrapper
    mutates the pivot array in place, so a shared one gave wrong solutions here)."""
    from constructions.blocks import map_tasks
    from constructions.feature_maps import MinNormSolver

    rng = np.random.default_rng(10)
    solver = MinNormSolver(rng.normal(size=(300, 300)))
    right_sides = [rng.normal(size=(300, 40)) for _ in range(24)]
    expected = [solver.solve(rhs) for rhs in right_sides]
    for _ in range(3):
        parallel = map_tasks(solver.solve, right_sides, workers=2)
        assert all(np.array_equal(a, b) for a, b in zip(parallel, expected))
