"""Luo & Xu, Utility Boundary of Dataset Distillation: the scaling law, the coverage law and the
interchangeability of matching surrogates, as empirical laws fitted to training runs."""
