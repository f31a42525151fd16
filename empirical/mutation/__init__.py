"""Mutation testing of the constructions with ``verify`` as the oracle (see docs/testing.md).

    python -m empirical.mutation constructions/linear.py --theorems izzo-zou/theorem-3 --sample 20

:mod:`~empirical.mutation.mutants` builds the mutants, :mod:`~empirical.mutation.sandbox` runs the
oracle on a temporary copy of the tree, :mod:`~empirical.mutation.oracle` decides which theorems
judge a mutant and what their verdicts mean, :mod:`~empirical.mutation.campaign` runs a file's
mutants and :mod:`~empirical.mutation.report` writes the table and the JSON.
"""
