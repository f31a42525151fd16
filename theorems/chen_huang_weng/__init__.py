"""Chen, Huang & Weng (NeurIPS 2024): provable and efficient dataset distillation for kernel ridge regression."""
