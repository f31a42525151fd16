"""Selvan & Chen, A Discrepancy-Based Perspective on Dataset Condensation (arXiv:2509.10367):
the standard facts the discrepancy view rests on, and whether lower discrepancy predicts accuracy."""
