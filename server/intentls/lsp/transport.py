"""How `intentls serve` talks: stdio, or TCP on 127.0.0.1 guarded by a token file."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import stat
import sys
from pathlib import Path
from typing import Any, cast

from pygls.exceptions import JsonRpcInvalidParams, JsonRpcRequestCancelled
from pygls.io_ import StdinAsyncReader, StdoutWriter

from intentls.lsp import inbox
from intentls.lsp.framing import INVALID_REQUEST, LINE_LIMIT, Rejected, frame, messages
from intentls.lsp.server import IntentProtocol, IntentServer
from intentls.lsp.setup import create_server

log = logging.getLogger(__name__)
HANDSHAKE_S = 10.0
"""How long a TCP client may take to send its `initialize`."""
DRAIN_S = 5.0
"""How long the server, ending, waits for the client to read what it still has to say."""


class _ExpectedErrors(logging.Filter):
    """pygls logs every error answer, and every message it cannot read, with a traceback; a
    bad request is not a server fault (lsp/inbox.py logs one line for it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, JsonRpcInvalidParams | JsonRpcRequestCancelled):
            return False
        return not str(record.msg).startswith("Unable to deserialize message")


logging.getLogger("pygls.protocol.json_rpc").addFilter(_ExpectedErrors())


def serve_stdio(metrics_port: int | None = None) -> None:
    server = create_server(metrics_port=metrics_port)
    try:
        asyncio.run(_stdio(server))
    except (KeyboardInterrupt, SystemExit, BrokenPipeError):
        pass
    finally:
        _cleanup(server)


async def _stdio(server: IntentServer) -> None:
    """stdin read natively by the event loop: pygls' own reader hands every header line to a
    thread, which costs a thread hop per line on every message."""
    loop = asyncio.get_running_loop()
    reader: Any
    try:
        stream = asyncio.StreamReader(limit=LINE_LIMIT)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), sys.stdin)
        reader = stream
    except ValueError:  # stdin is a regular file: fall back to pygls' threaded reader
        reader = StdinAsyncReader(sys.stdin.buffer, server.thread_pool)
    writer = await _stdout_writer(loop)
    server.protocol.set_writer(writer)
    await inbox.serve(reader, _protocol(server))
    if isinstance(writer, PipeWriter):
        await writer.drained()  # the client has its last answers before the server ends


class PipeWriter(asyncio.Protocol):
    """stdout written by the event loop as the pipe takes it. pygls' StdoutWriter writes and
    flushes in place: once 64 KiB sat unread in the pipe (an editor busy elsewhere), each
    message held up the event loop, and with it every run, until the client read."""

    def __init__(self) -> None:
        self._transport: asyncio.WriteTransport | None = None
        self._lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.WriteTransport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True

    def write(self, data: bytes) -> None:
        if self._lost or self._transport is None:
            raise BrokenPipeError("the client closed its end of stdout")
        self._transport.write(data)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    async def drained(self) -> None:
        """Once what is queued is written (for at most DRAIN_S: a client that reads no more)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DRAIN_S
        while self._transport is not None and not self._lost and loop.time() < deadline:
            if not self._transport.get_write_buffer_size():
                return
            await asyncio.sleep(0.01)


async def _stdout_writer(loop: asyncio.AbstractEventLoop) -> PipeWriter | StdoutWriter:
    """A pipe or socket (what an editor gives its server): written by the loop
    (`PipeWriter`); a file or a terminal (made non-blocking, it would stay so for the shell) is
    written in place."""
    mode = os.fstat(sys.stdout.fileno()).st_mode
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        return StdoutWriter(sys.stdout.buffer)
    _, writer = await loop.connect_write_pipe(PipeWriter, sys.stdout)
    return writer


def serve_tcp(port: int, token_file: Path, metrics_port: int | None = None) -> None:
    """One client session; connections that fail the token check are dropped and the server
    keeps listening. Nothing is processed before a well-formed LSP header."""
    token = token_file.read_text(encoding="utf-8").strip()
    if not token:
        raise SystemExit(f"intentls: token file {token_file} is empty")
    server = create_server(expected_token=token, metrics_port=metrics_port)
    try:
        asyncio.run(_tcp(server, port))
    finally:
        _cleanup(server)


async def _tcp(server: IntentServer, port: int) -> None:
    """Connections are read at once, each on its own: one that sends nothing is closed after
    HANDSHAKE_S, and nothing but an `initialize` with the token reaches the server (an
    unauthenticated `exit` stops nothing). The first connection that authenticates is the
    session; the server ends with it."""
    done = asyncio.Event()
    session = asyncio.Lock()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        incoming = messages(reader)
        try:
            first = await asyncio.wait_for(anext(incoming, None), HANDSHAKE_S)
        except TimeoutError:
            log.info("a TCP client sent no initialize within %g s: closed", HANDSHAKE_S)
            writer.close()
            return
        refusal = _handshake_refusal(first, server.expected_token)
        if refusal is None and session.locked():
            refusal = INVALID_REQUEST, "another client holds the session"
        if refusal is not None:
            log.warning("refused a TCP client: %s", refusal[1])
            msg_id = first.get("id") if isinstance(first, dict) else None
            error = {"code": refusal[0], "message": refusal[1]}
            writer.write(frame({"jsonrpc": "2.0", "id": msg_id, "error": error}))
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            writer.close()
            return
        assert isinstance(first, dict)
        async with session:
            server.protocol.set_writer(writer)
            server.on_reject = writer.close
            inbox.receive(_protocol(server), first)
            await inbox.serve(reader, _protocol(server))
            writer.close()
            if server.services is not None:
                done.set()

    listener = await asyncio.start_server(connection, "127.0.0.1", port, limit=LINE_LIMIT)
    log.info("listening on 127.0.0.1:%d", port)
    async with listener:
        await done.wait()


def _handshake_refusal(
    first: dict[str, Any] | Rejected | None, token: str | None
) -> tuple[int, str] | None:
    """Why a TCP connection's first message does not open a session."""
    if not isinstance(first, dict) or first.get("method") != "initialize" or "id" not in first:
        return inbox.NOT_INITIALIZED, "send initialize (with the token) first"
    params = first.get("params")
    options = params.get("initializationOptions") if isinstance(params, dict) else None
    given = options.get("token") if isinstance(options, dict) else None
    if token is not None and not (isinstance(given, str) and hmac.compare_digest(given, token)):
        return inbox.INVALID_PARAMS, "initializationOptions.token is missing or wrong"
    return None


def _protocol(server: IntentServer) -> IntentProtocol:
    return cast(IntentProtocol, server.protocol)


def _cleanup(server: IntentServer) -> None:
    """However the session ended, no process of ours is left and the history is closed."""
    if server.services is not None:
        server.services.close()
