"""Planted failures for chen-huang-weng/proposition-4.1."""

from theorems.chen_huang_weng.proposition_4_1 import gaussian_z, z_inside_range_of_w

from tests.plants import Plant

PLANTS = {
    "chen-huang-weng/proposition-4.1::gaussian-z-full-rank": [
        Plant("Z drawn inside Range(W)", {"sample_z": z_inside_range_of_w})],
    "chen-huang-weng/proposition-4.1::overlapping-ranges": [
        Plant("Gaussian Z (the assumption holds)", {"sample_z": gaussian_z})],
}
