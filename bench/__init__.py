"""Benchmarks, run by hand: `python -m bench.run` (load against a bare slack-bolt floor) and
`python -m bench.schedule` (a tick's cost with many tasks, the digest of a big channel)."""
