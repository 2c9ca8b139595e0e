"""A client that does not read for a while (an editor busy elsewhere) does not stop the server:
what the server says queues in the server until the client reads, and runs go on meanwhile.
(pygls' own stdout writer blocked the event loop once 64 KiB sat unread in the pipe.)"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

ANSWERS = 3000
"""Unanswerable requests whose error answers (~100 bytes each) overfill the pipe."""
DEADLINE_S = 60.0


def frame(payload: dict[str, object]) -> bytes:
    body = json.dumps(payload).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


async def test_a_run_goes_on_while_the_client_reads_nothing(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    folder.mkdir()
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "intentls",
        "serve",
        env={"INTENTLS_HISTORY": str(home / "history.db"), "PATH": "/usr/bin:/bin"},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        initialize = {
            "processId": None,
            "rootUri": folder.as_uri(),
            "workspaceFolders": [{"uri": folder.as_uri(), "name": "ws"}],
            "capabilities": {},
            "initializationOptions": {"trusted": True},
        }
        messages = [
            {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize},
            {"jsonrpc": "2.0", "method": "initialized", "params": {}},
            *(
                {"jsonrpc": "2.0", "id": 10 + n, "method": "intentls/noSuchMethod"}
                for n in range(ANSWERS)
            ),
            {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "workspace/executeCommand",
                "params": {
                    "command": "intentls.run",
                    "arguments": [{"intent": "$ touch ran", "cwd": str(folder)}],
                },
            },
        ]
        server.stdin.write(b"".join(frame(m) for m in messages))  # nothing of stdout is read
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DEADLINE_S
        while not (folder / "ran").exists():
            assert server.returncode is None, "the server ended"
            assert loop.time() < deadline, "the run waited for the client to read"
            await asyncio.sleep(0.05)
        said = await asyncio.wait_for(server.stdout.read(256 * 1024), DEADLINE_S)
        assert said.startswith(b"Content-Length: ")  # then it is all there, in order
    finally:
        server.kill()
        await asyncio.wait_for(server.wait(), DEADLINE_S)
