"""Benchmarks run with `make bench` on the database of DATABASE_URL (PostgreSQL in CI and for
published figures). They print their figures and assert only correctness, never timings."""
