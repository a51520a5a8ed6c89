"""Sagsflow's benchmarks: medians and spreads, never part of the test suite (run `scripts/bench`)."""
