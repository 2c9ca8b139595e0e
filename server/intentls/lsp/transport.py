"""How `intentls serve` talks: stdio, or TCP on 127.0.0.1 guarded by a token file."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from pathlib import Path
from typing import Any

from pygls.exceptions import JsonRpcInvalidParams, JsonRpcRequestCancelled
from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async

from intentls.execution.process import prefer_pidfd_watcher
from intentls.lsp.server import IntentServer
from intentls.lsp.setup import create_server

log = logging.getLogger(__name__)
_LINE_LIMIT = 1 << 20


class _ExpectedErrors(logging.Filter):
    """pygls logs every error answer with a traceback; a bad request is not a server fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, JsonRpcInvalidParams | JsonRpcRequestCancelled)


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
    prefer_pidfd_watcher()
    loop = asyncio.get_running_loop()
    reader: Any
    try:
        stream = asyncio.StreamReader(limit=_LINE_LIMIT)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), sys.stdin)
        reader = stream
    except ValueError:  # stdin is a regular file: fall back to pygls' threaded reader
        reader = StdinAsyncReader(sys.stdin.buffer, server.thread_pool)
    server.protocol.set_writer(StdoutWriter(sys.stdout.buffer))
    await run_async(
        stop_event=threading.Event(),
        reader=reader,
        protocol=server.protocol,
        logger=log,
        error_handler=server.report_server_error,
    )


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
    prefer_pidfd_watcher()
    done = asyncio.Event()
    busy = asyncio.Lock()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if busy.locked():
            writer.close()
            return
        async with busy:
            server.protocol.set_writer(writer)
            server.on_reject = writer.close
            stop = threading.Event()
            await run_async(
                stop_event=stop,
                reader=reader,
                protocol=server.protocol,
                logger=log,
                error_handler=server.report_server_error,
            )
            writer.close()
            if server.services is not None:
                done.set()

    listener = await asyncio.start_server(connection, "127.0.0.1", port)
    log.info("listening on 127.0.0.1:%d", port)
    async with listener:
        await done.wait()


def _cleanup(server: IntentServer) -> None:
    """However the session ended, no process of ours is left and the history is closed."""
    if server.services is not None:
        server.services.close()
