"""Fuzzed messages: known methods with params that do not parse, commands with odd arguments,
malformed bodies, deep nesting, huge strings and header lines, before `initialize` and after
`shutdown`. Every request is answered, no traceback reaches the wire, memory stays bounded."""

from __future__ import annotations

import asyncio
import json
import random
import time
from pathlib import Path
from typing import Any

import attrs

from tests.probe.wire import RawServer, frame

METHODS = [
    "textDocument/codeAction",
    "textDocument/codeLens",
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/documentSymbol",
    "textDocument/definition",
    "workspace/symbol",
    "codeLens/resolve",
    "initialize",
    "workspace/executeCommand",
    "intentls/unknown",
    "$/unknownRequest",
]
NOTIFICATIONS = [
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didSave",
    "textDocument/didClose",
    "workspace/didChangeConfiguration",
    "workspace/didChangeWorkspaceFolders",
    "$/cancelRequest",
    "intentls/setTrust",
    "initialized",
]
COMMANDS = [
    "intentls.run",
    "intentls.plan",
    "intentls.list",
    "intentls.history",
    "intentls.undo",
    "intentls.cancel",
    "intentls.stats",
    "intentls.checkpoints",
    "intentls.nope",
    5,
    None,
]
ARGUMENTS: list[Any] = [
    5,
    None,
    [],
    [5],
    ["x"],
    [{}],
    [None],
    [{"intent": 5}],
    [{"intent": "$ true"}],
    [{"intent": "$ true", "cwd": "/usr"}],
    [{"intent": "$ true", "cwd": "/proc"}],
    [{"intent": "hello", "dryRun": True}],
    [{"runId": []}],
    [{"limit": -1}],
    [{"allFolders": "yes"}],
    {"a": 1},
]
PARAMS: list[Any] = [
    None,
    {},
    5,
    "x",
    [],
    [1, 2],
    {"textDocument": 5},
    {"textDocument": {"uri": 5}, "position": "x"},
    {"textDocument": {"uri": "file:///nope.py"}, "range": {"start": 1}},
    {"query": 5},
    {"capabilities": 5},
    {"id": {"x": 1}},
    {"settings": [1, 2]},
    {"event": {"added": 5}},
]
MALFORMED = [
    b"{",
    b"nul",
    b"\xff\xfe\x00garbage",
    b"[1, 2]",
    b'"just a string"',
    b'{"jsonrpc": "2.0"}',
    b"{'single': 'quotes'}",
    b'{"jsonrpc": "2.0", "method": 5, "id": null}',
]


@attrs.define
class FuzzFigures:
    messages: int = 0
    requests: int = 0
    answered: int = 0
    malformed: int = 0
    malformed_answered: int = 0
    before_initialize: int = 0
    before_initialize_32002: int = 0
    after_shutdown: int = 0
    after_shutdown_answered: int = 0
    tracebacks: int = 0
    huge_repeated: int = 0
    peak_rss_mib: float = 0.0
    stderr_kib: float = 0.0
    alive: bool = False
    seconds: float = 0.0
    unanswered: list[str] = attrs.Factory(list)

    def lines(self) -> list[str]:
        return [
            f"{self.messages} fuzzed messages in {self.seconds:.0f} s: requests answered "
            f"{self.answered}/{self.requests}; unparsable bodies (malformed, nested too deep) "
            f"answered with id null {self.malformed_answered}/{self.malformed}",
            f"  before initialize -32002 {self.before_initialize_32002}/{self.before_initialize}; "
            f"after shutdown answered {self.after_shutdown_answered}/{self.after_shutdown}; "
            f"tracebacks on the wire {self.tracebacks}; answers repeating a huge input "
            f"{self.huge_repeated}",
            f"  server peak RSS {self.peak_rss_mib:.0f} MiB, stderr {self.stderr_kib:.0f} KiB, "
            f"still serving after: {'yes' if self.alive else 'NO'}",
            *(f"  unanswered: {u}" for u in self.unanswered[:5]),
        ]


class _Fuzzer:
    def __init__(self, server: RawServer, rng: random.Random, figures: FuzzFigures) -> None:
        self.server = server
        self.rng = rng
        self.figures = figures
        self.ids: list[Any] = []
        self.deep: list[Any] = []
        """Deeply nested requests: answered by id, or with id null when too deep to parse."""
        self.sent: dict[Any, str] = {}
        """What each request was, for a report of those left unanswered."""
        self.big_left = 12
        self.long_headers_left = 3

    def request(self, method: str, params: Any) -> Any:
        msg_id: Any = self.rng.choice([None, None, None, f"s{len(self.ids)}"])
        msg_id = self.server.request_nowait(method, params, msg_id)
        self.ids.append(msg_id)
        self.sent[msg_id] = f"{method} {json.dumps(params, default=str)[:120]}"
        return msg_id

    def one(self) -> None:
        rng, fig = self.rng, self.figures
        fig.messages += 1
        roll = rng.random()
        if roll < 0.35:
            self.request(rng.choice(METHODS), rng.choice([*PARAMS, ...]))
        elif roll < 0.6:
            params: dict[str, Any] = {"arguments": rng.choice(ARGUMENTS)}
            command = rng.choice(COMMANDS)
            if command is not None:
                params["command"] = command
            self.request("workspace/executeCommand", params)
        elif roll < 0.75:
            self.server.notify(rng.choice(NOTIFICATIONS), rng.choice(PARAMS))
        elif roll < 0.85:
            fig.malformed += 1
            self.server.write(frame(rng.choice(MALFORMED)))
        elif roll < 0.92:
            depth = rng.choice([1000, 3000, 20000])
            msg_id = f"deep{len(self.ids)}"
            self.deep.append(msg_id)
            self.server.expect(msg_id)
            head = b'{"jsonrpc":"2.0","id":"%s","method":"textDocument/hover","params":' % (
                msg_id.encode()
            )
            self.server.write(frame(head + b"[" * depth + b"]" * depth + b"}"))
        elif roll < 0.96 and self.big_left > 0:
            self.big_left -= 1
            huge = "h" * rng.choice([1 << 20, 3 << 20])
            method = rng.choice(["workspace/executeCommand", "textDocument/hover"])
            self.request(method, {"command": "intentls.run", "arguments": [{"intent": huge}]})
        elif self.long_headers_left > 0:
            self.long_headers_left -= 1
            junk = b"X-Junk: " + b"j" * ((1 << 20) + 100) + b"\r\n"
            self.server.write(junk + b"Content-Length: 2\r\n\r\n{}")
            self.request("textDocument/hover", {})
        else:
            self.request("workspace/symbol", {"query": "x"})


async def probe(base: Path, messages: int, seed: int = 16) -> FuzzFigures:
    rng = random.Random(seed)
    folder = base / "project"
    folder.mkdir(parents=True)
    (folder / "intents.toml").write_text('[intents.hello]\nrun = "echo hello"\n')
    figures = FuzzFigures()
    started = time.monotonic()
    server = await RawServer.start(base / "home")
    fuzzer = _Fuzzer(server, rng, figures)
    early = [server.request_nowait("textDocument/codeLens", p) for p in PARAMS[:5]]
    figures.before_initialize = len(early)
    await server.initialize([folder])
    for i in range(messages):
        fuzzer.one()
        if i % 200 == 0:
            await server.drain()
            figures.peak_rss_mib = max(figures.peak_rss_mib, server.peak_rss_kib() / 1024)
    try:
        sentinel = server.request_nowait("workspace/symbol", {"query": "sentinel"})
        figures.alive = "closed its output" not in str(await server.answer(sentinel, 120))
    except TimeoutError:
        figures.alive = False
    await _settle(server, fuzzer.ids)
    figures.peak_rss_mib = max(figures.peak_rss_mib, server.peak_rss_kib() / 1024)
    for msg_id in early:
        error = server.answers.get(msg_id, {}).get("error") or {}
        figures.before_initialize_32002 += error.get("code") == -32002
    # A deeply nested request is answered by id, or, too deep to parse, with id null.
    deep_by_id = sum(1 for i in fuzzer.deep if i in server.answers)
    figures.requests = len(fuzzer.ids) + deep_by_id
    figures.answered = sum(1 for i in fuzzer.ids if i in server.answers) + deep_by_id
    figures.unanswered = [fuzzer.sent.get(i, str(i)) for i in fuzzer.ids if i not in server.answers]
    figures.malformed += len(fuzzer.deep) - deep_by_id
    figures.malformed_answered = min(len(server.null_errors), figures.malformed)
    await server.request("shutdown", None, timeout=30)
    late = [server.request_nowait(rng.choice(METHODS), rng.choice(PARAMS)) for _ in range(20)]
    figures.after_shutdown = len(late)
    await _settle(server, late, timeout=10)
    figures.after_shutdown_answered = sum(1 for i in late if i in server.answers)
    for answer in server.answers.values():
        text = json.dumps(answer)
        figures.tracebacks += "Traceback" in text
        figures.huge_repeated += len(text) > 100_000
    server.notify("exit", None)
    await server.close(timeout=10)
    figures.stderr_kib = server.stderr.stat().st_size / 1024
    figures.seconds = time.monotonic() - started
    return figures


async def _settle(server: RawServer, ids: list[Any], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(i not in server.answers for i in ids):
        if server.closed.is_set():
            return
        await asyncio.sleep(0.1)
