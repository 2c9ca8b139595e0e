"""A raw LSP connection to a real `intentls serve`: frames written as bytes (well-formed or
not), every message read back, the server's own requests answered as an editor would."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import sys
from pathlib import Path
from typing import Any

SERVER = [sys.executable, "-m", "intentls", "serve"]
TIMEOUT_S = 60.0


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def server_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    skip = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
    return {
        **{k: v for k, v in os.environ.items() if k not in skip},
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "INTENTLS_HISTORY": str(home / "history.db"),
        **(extra or {}),
    }


class RawServer:
    def __init__(self, proc: asyncio.subprocess.Process, stderr: Path) -> None:
        self.proc = proc
        self.stderr = stderr
        self.notes: list[dict[str, Any]] = []
        self.answers: dict[Any, dict[str, Any]] = {}
        self.null_errors: list[int] = []
        """Codes of the errors answered with id null (unparsable or invalid messages)."""
        self._waiting: dict[Any, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._reader = asyncio.ensure_future(self._read())
        self.closed = asyncio.Event()

    @classmethod
    async def start(
        cls,
        home: Path,
        argv: list[str] | None = None,
        env: dict[str, str] | None = None,
        logs: Path | None = None,
    ) -> RawServer:
        """`home` holds the server's files (history, undo, data); `logs` its stderr (`home`)."""
        stderr = _log_file(home, logs)
        proc = await asyncio.create_subprocess_exec(
            *(argv or SERVER),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr.open("wb"),
            env=server_env(home, env),
            limit=1 << 26,
        )
        return cls(proc, stderr)

    async def initialize(
        self, folders: list[Path], trusted: bool = True, options: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        answer = await self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": None,
                "capabilities": {"window": {"workDoneProgress": False}},
                "initializationOptions": {"trusted": trusted, **(options or {})},
                "workspaceFolders": [{"uri": f.as_uri(), "name": f.name} for f in folders],
            },
        )
        self.notify("initialized", {})
        return answer

    # ---- writing -------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.is_closing():
            self.proc.stdin.write(data)

    def send(self, message: dict[str, Any]) -> None:
        self.write(frame(json.dumps(message).encode()))

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request_nowait(self, method: str, params: Any, msg_id: Any = None) -> Any:
        msg_id = next(self._ids) if msg_id is None else msg_id
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not ...:
            message["params"] = params
        self.expect(msg_id)
        self.send(message)
        return msg_id

    def expect(self, msg_id: Any) -> None:
        """An answer to `msg_id` will be awaited (for a request written as raw bytes)."""
        self._waiting[msg_id] = asyncio.get_running_loop().create_future()

    async def drain(self) -> None:
        if self.proc.stdin is not None:
            with contextlib.suppress(ConnectionError):
                await self.proc.stdin.drain()

    async def answer(self, msg_id: Any, timeout: float = TIMEOUT_S) -> dict[str, Any]:
        if msg_id in self.answers:
            return self.answers[msg_id]
        return await asyncio.wait_for(asyncio.shield(self._waiting[msg_id]), timeout)

    async def request(self, method: str, params: Any, timeout: float = TIMEOUT_S) -> Any:
        """The answer's result; a JSON-RPC error is raised as RuntimeError."""
        answer = await self.answer(self.request_nowait(method, params), timeout)
        if "error" in answer:
            raise RuntimeError(answer["error"].get("message"))
        return answer.get("result")

    async def command(self, name: str, args: dict[str, Any], timeout: float = TIMEOUT_S) -> Any:
        params = {"command": name, "arguments": [args]}
        return await self.request("workspace/executeCommand", params, timeout)

    # ---- reading -------------------------------------------------------------------------

    async def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        try:
            while True:
                length = None
                while True:
                    line = await out.readline()
                    if not line:
                        return
                    if line in (b"\r\n", b"\n"):
                        break
                    name, _, value = line.decode("ascii", "replace").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                if length is None:
                    continue
                self._dispatch(json.loads(await out.readexactly(length)))
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            return
        finally:
            self.closed.set()
            closed = {"error": {"code": 0, "message": "the server closed its output"}}
            for future in self._waiting.values():
                if not future.done():
                    future.set_result(closed)

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "method" in message and "id" in message:
            self.send({"jsonrpc": "2.0", "id": message["id"], "result": _reply(message)})
        elif "method" in message:
            self.notes.append(message)
        else:
            msg_id = message.get("id")
            if msg_id is None:
                self.null_errors.append((message.get("error") or {}).get("code", 0))
                return
            self.answers[msg_id] = message
            future = self._waiting.get(msg_id)
            if future is not None and not future.done():
                future.set_result(message)

    def notes_of(self, method: str) -> list[dict[str, Any]]:
        return [n.get("params") or {} for n in self.notes if n.get("method") == method]

    # ---- ending --------------------------------------------------------------------------

    def peak_rss_kib(self) -> int:
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return 0
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()

    async def close(self, timeout: float = 30.0) -> int:
        """shutdown, exit, and the exit code (killed if it does not go)."""
        with contextlib.suppress(Exception):
            await self.request("shutdown", None, timeout)
            self.notify("exit", None)
        if self.proc.stdin is not None:
            with contextlib.suppress(Exception):
                self.proc.stdin.close()
        try:
            code = await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            self.kill()
            code = await self.proc.wait()
        self._reader.cancel()
        return code


_serial = itertools.count(1)


def _log_file(home: Path, logs: Path | None) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    return (logs or home) / f"stderr-{next(_serial)}.log"


def _reply(message: dict[str, Any]) -> Any:
    """What an editor answers to the server's requests."""
    if message["method"] == "workspace/configuration":
        return [None for _ in (message.get("params") or {}).get("items", [])]
    if message["method"] == "workspace/applyEdit":
        return {"applied": True}
    return None
