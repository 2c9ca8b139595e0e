"""`python -m tests.probe [--quick]`: the probe's shapes, one after another, with figures."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from tests.probe import concurrent, crash, diskfull, fuzz, hostile_repo


async def main(quick: bool) -> None:
    sizes = (5, 2, 25, 600) if quick else (40, 4, 200, 5000)
    trials, servers, runs, messages = sizes
    with tempfile.TemporaryDirectory(prefix="intentls-probe-") as tmp:
        base = Path(tmp)
        for name, shape in (
            ("crash", crash.probe(base / "crash", trials)),
            ("concurrent", concurrent.probe(base / "concurrent", servers, runs)),
            ("fuzz", fuzz.probe(base / "fuzz", messages)),
            ("hostile", hostile_repo.probe(base / "hostile")),
            ("diskfull", diskfull.probe(base / "diskfull")),
        ):
            started = time.monotonic()
            figures = await shape
            for line in figures.lines():
                print(line, flush=True)
            print(f"  ({name}: {time.monotonic() - started:.0f} s)", flush=True)


parser = argparse.ArgumentParser(prog="python -m tests.probe")
parser.add_argument("--quick", action="store_true", help="the bounded form CI runs")
asyncio.run(main(parser.parse_args().quick))
