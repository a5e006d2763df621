"""Benchmarking between councils: signed aggregate files out, others' files in, comparisons.

Each council runs its own install, so comparison travels as files of figures, never responses.
See docs/architecture.md ("Benchmarking between councils") and docs/benchmark-schema.json.
"""
