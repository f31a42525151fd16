"""Planted failures for chen-huang-weng/theorem-5.1."""

from dataclasses import replace

import numpy as np

from constructions.krr_distill import distill_krr, distill_model

from tests.plants import Plant


def quantised_distill(*args, **kwargs):
    """The distilled inputs rounded to 3 decimals (as if saved at low precision)."""
    result = distill_krr(*args, **kwargs)
    return replace(result, X=np.round(result.X, 3))


def unscaled_labels(*args, **kwargs):
    """Forgets to rescale the labels after scaling RFF features into range."""
    result = distill_krr(*args, **kwargs)
    return replace(result, Y=result.Y / result.report.scale)


def eight_bit_step(*args, **kwargs):
    """Distilled images quantised to 8-bit grey levels (a PNG round trip)."""
    result = distill_model(*args, **kwargs)
    return replace(result, X=np.round(result.X * 255) / 255)


PLANTS = {
    "chen-huang-weng/theorem-5.1::leaky-relu-recovery": [Plant("X_S rounded to 3 decimals", {"distill": quantised_distill})],
    "chen-huang-weng/theorem-5.1::rff-recovery": [Plant("labels not rescaled", {"distill": unscaled_labels}),
                                                Plant("X_S rounded to 3 decimals", {"distill": quantised_distill})],
    "chen-huang-weng/theorem-5.1::not-surjective": [Plant("square (surjective) layer", {"widen": 0})],
    "chen-huang-weng/theorem-5.1::fashion-mnist": [Plant("8-bit quantised images", {"distill_step": eight_bit_step})],
}
