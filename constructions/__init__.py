"""Closed-form and optimised dataset-distillation constructions, as a plain library.

Conventions are stated in each module (loss scaling, label coding, normalisation); every random
choice takes an explicit ``numpy.random.Generator`` (or ``torch.Generator``) or seed.
"""
