"""Every request gets an answer (issue 16, item 3), on the raw wire: params that do not parse
for known methods, odd executeCommand arguments, deep nesting, malformed bodies, a header line
over 1 MiB, requests before `initialize` and after `shutdown`; no traceback on the wire and no
message repeating a huge input. The TCP handshake: nothing but a correct `initialize` does
anything, a silent client is dropped, several connect at once."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from pathlib import Path
from typing import Any

from tests.probe.wire import RawServer, frame

BAD_PARAMS: list[Any] = [None, {}, 5, "x", [1]]
KNOWN = [
    "textDocument/codeAction",
    "textDocument/codeLens",
    "textDocument/hover",
    "workspace/symbol",
]


async def _answer(server: RawServer, method: str, params: Any) -> dict[str, Any]:
    return await server.answer(server.request_nowait(method, params), 30)


async def test_every_request_is_answered(home: Path, folder: Path) -> None:
    server = await RawServer.start(home)
    try:
        before = await _answer(server, "textDocument/codeLens", {"textDocument": {"uri": "x"}})
        assert before["error"]["code"] == -32002
        await server.initialize([folder])
        for method in KNOWN:
            for params in BAD_PARAMS:
                answer = await _answer(server, method, params)
                assert "error" in answer or "result" in answer, (method, params)
        second = await _answer(server, "initialize", {})
        assert second["error"]["code"] == -32600
        for arguments in (5, None, [5], [{"intent": 5}]):
            answer = await _answer(
                server,
                "workspace/executeCommand",
                {"command": "intentls.run", "arguments": arguments},
            )
            assert answer["error"]["code"] in (-32602, -32600), arguments
        missing = await _answer(server, "workspace/executeCommand", {"arguments": []})
        assert missing["error"]["code"] == -32602
        server.expect("deep")
        nested = b"[" * 900 + b"]" * 900
        server.write(
            frame(
                b'{"jsonrpc":"2.0","id":"deep","method":"textDocument/hover","params":%s}' % nested
            )
        )
        assert "error" in await server.answer("deep", 30)
        server.write(frame(b"{not json"))
        server.write(b"X-Junk: " + b"j" * ((1 << 20) + 10) + b"\r\nContent-Length: 2\r\n\r\n{}")
        huge = await _answer(
            server,
            "workspace/executeCommand",
            {"command": "intentls.run", "arguments": [{"intent": "h" * (3 << 20)}]},
        )
        assert huge["error"]["code"] == -32602 and len(json.dumps(huge)) < 10_000
        assert (await _answer(server, "workspace/symbol", {"query": "x"})) is not None
        assert server.null_errors.count(-32700) == 1 and -32600 in server.null_errors
        assert "Traceback" not in json.dumps(list(server.answers.values()))
        await server.request("shutdown", None)
        late = await _answer(server, "textDocument/hover", {})
        assert late["error"]["code"] == -32600
        server.notify("exit", None)
        assert await asyncio.wait_for(server.proc.wait(), 30) == 0
    finally:
        server.kill()
    assert server.stderr.stat().st_size < 100_000, "one line per rejected message"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    for _ in range(600):
        try:
            return await asyncio.open_connection("127.0.0.1", port, limit=1 << 24)
        except ConnectionRefusedError:
            await asyncio.sleep(0.05)
    raise AssertionError("server never listened")


async def _read(reader: asyncio.StreamReader) -> dict[str, Any]:
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(await reader.readexactly(length))  # type: ignore[no-any-return]


def _message(**fields: Any) -> bytes:
    return frame(json.dumps({"jsonrpc": "2.0", **fields}).encode())


async def test_tcp_lets_nothing_but_a_correct_initialize_do_anything(
    home: Path, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("s3cret\n")
    port = _free_port()
    argv = [sys.executable, "-m", "intentls", "serve", "--tcp", "--port", str(port)]
    server = await asyncio.create_subprocess_exec(
        *argv,
        "--token-file",
        str(token_file),
        env={"INTENTLS_HISTORY": str(home / "history.db"), "PATH": "/usr/bin:/bin"},
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        silent = await _connect(port)  # says nothing, holds nothing
        intruder_reader, intruder = await _connect(port)
        intruder.write(_message(method="exit"))
        refused = await asyncio.wait_for(_read(intruder_reader), 30)
        assert refused["error"]["code"] == -32002
        assert server.returncode is None, "an unauthenticated exit stops nothing"
        reader, writer = await _connect(port)
        init = {"capabilities": {}, "initializationOptions": {"token": "s3cret"}}
        writer.write(_message(id=1, method="initialize", params=init))
        answer = await asyncio.wait_for(_read(reader), 30)
        assert "capabilities" in answer["result"]
        late_reader, late = await _connect(port)
        late.write(_message(id=1, method="initialize", params=init))
        busy = await asyncio.wait_for(_read(late_reader), 30)
        assert "another client" in busy["error"]["message"]
        assert await asyncio.wait_for(silent[0].read(), 30) == b"", (
            "dropped after the handshake time"
        )
        writer.write(_message(id=2, method="shutdown"))
        await asyncio.wait_for(_read(reader), 30)
        writer.write(_message(method="exit"))
        assert await asyncio.wait_for(server.wait(), 30) == 0
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
