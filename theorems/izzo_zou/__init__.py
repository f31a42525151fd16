"""Izzo & Zou, A Theoretical Study of Dataset Distillation."""
