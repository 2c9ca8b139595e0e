"""Suggestions: `textDocument/codeAction` (kind `intentls.suggest`, invoked) with one million
runs in the history, beside the bare LSP round trip in the same server (a code action request
for a kind no provider offers); and the cost of one model update per finished run."""

from __future__ import annotations

import random
import tempfile
import time
from functools import partial
from pathlib import Path

import apsw
from lsprotocol import types as lsp

from intentls.history.store import History
from intentls.suggestions.core import Finished
from intentls.suggestions.service import Suggestions
from tests.bench.server import bench_server
from tests.bench.stats import median, p99, row, timed

RUNS = 1_000_000
REPEAT = 2000
UPDATES = 5000
INTENTS = ["fmt", "lint", "typecheck", "test", "build", "docs", "$ pytest -x", "deploy"]


def _sequence(n: int, seed: int = 1) -> list[str]:
    """A habit-shaped sequence: mostly the usual next intent, sometimes another."""
    choose = random.Random(seed)
    usual = {a: INTENTS[(i + 1) % len(INTENTS)] for i, a in enumerate(INTENTS)}
    out, current = [], "fmt"
    for _ in range(n):
        current = usual[current] if choose.random() < 0.7 else choose.choice(INTENTS)
        out.append(current)
    return out


def _fill(path: Path, folder: str) -> None:
    History(path).close()  # the schema, as the server makes it
    conn = apsw.Connection(str(path))
    start = time.time() - RUNS * 60
    rows = (
        (f"r{n}", intent, folder, "/ws", "succeeded", start + n * 60, start + n * 60 + 1, 900, "x")
        for n, intent in enumerate(_sequence(RUNS))
    )
    with conn:
        conn.executemany(
            "INSERT INTO runs(id, intent, folder, cwd, status, started_at, ended_at, "
            "duration_ms, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    conn.close()


def _update_cost() -> float:
    """Microseconds per `run_finished` on a model warmed like the server's."""
    suggestions = Suggestions()
    runs = [Finished(i, "file:///ws", True, 0.0) for i in _sequence(UPDATES * 2, seed=2)]
    for run in runs[:UPDATES]:
        suggestions.run_finished(run)
    began = time.perf_counter()
    for run in runs[UPDATES:]:
        suggestions.run_finished(run)
    return (time.perf_counter() - began) / UPDATES * 1e6


async def main() -> None:
    print(f"suggestions: code actions with {RUNS:,} runs in the history ({REPEAT} requests)")
    with tempfile.TemporaryDirectory(prefix="intentls-bench-") as tmp:
        folder = Path(tmp) / "ws"
        folder.mkdir()
        (folder / "app.py").write_text("print('hi')\n")
        history = Path(tmp) / "history.db"
        began = time.perf_counter()
        _fill(history, folder.as_uri())
        row("filling the history", f"{time.perf_counter() - began:.1f} s")
        async with bench_server(folder, history) as server:
            client = server.client

            def params(only: str) -> lsp.CodeActionParams:
                return lsp.CodeActionParams(
                    lsp.TextDocumentIdentifier((folder / "app.py").as_uri()),
                    lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)),
                    lsp.CodeActionContext(
                        [], only=[only], trigger_kind=lsp.CodeActionTriggerKind.Invoked
                    ),
                )

            suggest, bare = params("intentls.suggest"), params("nothing.offers.this")
            began = time.perf_counter()
            while not await client.text_document_code_action_async(suggest):
                if time.perf_counter() - began > 60:
                    raise RuntimeError("the server never suggested anything")
            row("first suggestion after start (warm-up)", f"{time.perf_counter() - began:.2f} s")

            # Interleaved, so that both see the same load on a shared machine.
            baseline, ours = [], []
            for _ in range(REPEAT):
                baseline += await timed(partial(client.text_document_code_action_async, bare), 1, 0)
                ours += await timed(partial(client.text_document_code_action_async, suggest), 1, 0)
    row("bare codeAction round trip median", f"{median(baseline):.3f} ms")
    row("bare codeAction round trip p99", f"{p99(baseline):.3f} ms")
    row("intentls.suggest code actions median", f"{median(ours):.3f} ms", "[goal <= 1 ms]")
    row("intentls.suggest code actions p99", f"{p99(ours):.3f} ms", "[goal <= 5 ms]")
    row("over the bare round trip, median", f"+{median(ours) - median(baseline):.3f} ms")
    row("model update per finished run", f"{_update_cost():.0f} us")
    print()
