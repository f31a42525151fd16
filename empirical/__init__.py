"""Real data, training runs, the run store, sweeps and statistical fits."""
