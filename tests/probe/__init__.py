"""`make probe`: the reliability and security probe of issue 16, repeated with figures.

Each shape drives real `intentls serve` processes through a raw JSON-RPC connection (bytes on
the wire, so that malformed input can be sent too) and checks the files they leave behind.
`python -m tests.probe` runs the full form; `tests/e2e/test_probe.py` a bounded one in CI."""
