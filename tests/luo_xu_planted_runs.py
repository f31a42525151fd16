"""Helpers for the luo-xu plants: committed runs with their gaps replaced by a planted law."""

import copy

import numpy as np

from empirical.gaps import committed_rows


def full_accuracy(rows):
    refs = {}
    for row in rows:
        if row["spec"]["method"] == "full":
            for item in row["metrics"]["evaluations"]:
                refs.setdefault((row["spec"]["preset"], item["configuration"]), []).append(item["accuracy"])
    return {key: float(np.mean(values)) for key, values in refs.items()}


def planted_rows(law):
    """The committed runs with every distilled accuracy set to full − law(k, M, seed)."""

    def runs(ctx):
        rows = copy.deepcopy(committed_rows())
        refs = full_accuracy(rows)
        for row in rows:
            spec = row["spec"]
            if spec["method"] == "full":
                continue
            for item in row["metrics"]["evaluations"]:
                gap = law(spec["ipc"], len(spec["configurations"]), spec["distill_seed"], item["eval_seed"])
                item["accuracy"] = refs[(spec["preset"], item["configuration"])] - gap
        return rows

    return runs


def tiny_noise(seed, eval_seed):
    return 1e-4 * np.sin(7.0 * seed + 3.0 * eval_seed + 1.0)


# Δ = 0.02 + 0.5/k: decisively a 1/k law, not 1/√k
one_over_k = planted_rows(lambda k, m, s, e: 0.02 + 0.5 / k + tiny_noise(s, e))
# Δ grows with k: the slope on 1/√k is negative
growing = planted_rows(lambda k, m, s, e: 0.02 + 0.05 * np.log(k) + tiny_noise(s, e))
# Δ independent of M and decaying in k: the coverage regressor loses to 1/√k decisively
no_coverage = planted_rows(lambda k, m, s, e: 0.02 + 0.3 / np.sqrt(k) + tiny_noise(s + 10 * m, e))
