"""PROTOCOL.md "Start": capabilities, settings and their priority, TCP with a token."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from pathlib import Path

import pytest
from lsprotocol import types as lsp

from tests.e2e.session import capabilities, session

ADVERTISED = [
    "intentls.cancel",
    "intentls.checkpoint",
    "intentls.checkpoints",
    "intentls.explain",
    "intentls.feedback",
    "intentls.history",
    "intentls.list",
    "intentls.output",
    "intentls.plan",
    "intentls.redo",
    "intentls.rollback",
    "intentls.run",
    "intentls.runOutput",
    "intentls.stats",
    "intentls.suggest",
    "intentls.undo",
]


async def test_capabilities(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        caps = ses.initialize_result.capabilities
        assert sorted(caps.execute_command_provider.commands) == ADVERTISED
        assert caps.execute_command_provider.work_done_progress is True
        assert caps.code_lens_provider is not None
        kinds = list(caps.code_action_provider.code_action_kinds)
        assert kinds == ["intentls.undo", "quickfix", "intentls.suggest"]
        sync = caps.text_document_sync
        assert sync.open_close and sync.change and sync.save
        assert caps.workspace.workspace_folders.supported


# Two steps that each note when they start and end; "overlap" means both ran at once.
OVERLAP = (
    "$ touch {n}.start; sleep 0.3; [ -e {o}.start ] && [ ! -e {o}.end ] && echo overlap; "
    "touch {n}.end"
)


def _pair(tmp: Path) -> str:
    a = OVERLAP.format(n=tmp / "a", o=tmp / "b")
    b = OVERLAP.format(n=tmp / "b", o=tmp / "a")
    return f"{a} and {b}"


async def test_configuration_overrides_initialization_options(
    home: Path, folder: Path, tmp_path: Path
) -> None:
    init = {"trusted": True, "maxParallel": 4}
    async with session(
        home,
        [folder],
        init=init,
        caps=capabilities(configuration=True),
        configuration={"maxParallel": 1, "historyPath": str(tmp_path / "not-here.db")},
    ) as ses:
        result = await ses.run(_pair(tmp_path))
        assert result["status"] == "succeeded"
        assert "overlap" not in ses.output_of(result["runId"]), "maxParallel 1 from configuration"
    assert not (tmp_path / "not-here.db").exists(), "historyPath is never taken from configuration"


async def test_pushed_settings_and_bad_values(home: Path, folder: Path, tmp_path: Path) -> None:
    async with session(home, [folder], init={"trusted": True, "maxParallel": "many"}) as ses:
        assert (await ses.run("hello"))["status"] == "succeeded", "a bad value is not fatal"
        assert any("maxParallel" in m.message for m in ses.client.messages)
        ses.client.workspace_did_change_configuration(
            lsp.DidChangeConfigurationParams(settings={"intentls": {"maxParallel": 1}})
        )
        result = await ses.run(_pair(tmp_path))
        assert "overlap" not in ses.output_of(result["runId"])


async def test_history_path_from_initialization_options(home: Path, folder: Path) -> None:
    chosen = home / "elsewhere" / "runs.db"
    async with session(home, [folder], init={"trusted": True, "historyPath": str(chosen)}) as ses:
        await ses.run("hello")
    assert chosen.exists() and not (home / "history.db").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _frame(payload: dict[str, object]) -> bytes:
    body = json.dumps(payload).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


async def _read_frame(reader: asyncio.StreamReader) -> dict[str, object]:
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(await reader.readexactly(length))  # type: ignore[no-any-return]


def _initialize(token: str | None) -> dict[str, object]:
    options = {"trusted": True} | ({"token": token} if token else {})
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "processId": None,
            "rootUri": None,
            "capabilities": {},
            "initializationOptions": options,
        },
    }


@pytest.mark.parametrize("token", [None, "wrong"])
async def test_tcp_refuses_a_wrong_token_and_keeps_listening(
    home: Path, tmp_path: Path, token: str | None
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("s3cret\n")
    port = _free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "intentls",
        "serve",
        "--tcp",
        "--port",
        str(port),
        "--token-file",
        str(token_file),
        env={"INTENTLS_HISTORY": str(home / "history.db"), "PATH": "/usr/bin:/bin"},
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        reader, writer = await _connect(port, server)
        writer.write(b"garbage before any header\r\n" + _frame(_initialize(token)))
        answer = await asyncio.wait_for(_read_frame(reader), 30)
        assert answer["error"]["code"] == -32602  # type: ignore[index]
        assert await asyncio.wait_for(reader.read(), 30) == b"", "connection closed"
        reader, writer = await _connect(port, server)
        writer.write(_frame(_initialize("s3cret")))
        answer = await asyncio.wait_for(_read_frame(reader), 30)
        assert "capabilities" in answer["result"]  # type: ignore[operator]
        writer.write(_frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        await asyncio.wait_for(_read_frame(reader), 30)
        writer.write(_frame({"jsonrpc": "2.0", "method": "exit"}))
        assert await asyncio.wait_for(server.wait(), 30) == 0
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()


async def _connect(
    port: int, server: asyncio.subprocess.Process
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect once the server listens: its stderr says so at INFO, or retry on refusal."""
    for _ in range(600):
        try:
            return await asyncio.open_connection("127.0.0.1", port)
        except ConnectionRefusedError:
            assert server.returncode is None, "server exited"
            await asyncio.sleep(0.05)
    raise AssertionError("server never listened")
