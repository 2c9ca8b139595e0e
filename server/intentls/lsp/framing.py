"""Reading LSP messages off a stream without trusting it: headers and bodies within limits,
JSON parsed without hooks. What cannot be read becomes a `Rejected` (answered with id null)
and the stream goes on at the next message: a client's mistake never ends the session.

pygls' own loop parses with its message hook inside `json.loads`: a request whose params do
not fit the method's type raises there, before its id is known, and is never answered; a
header line over the reader's limit raises out of the loop and ends the server."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any, Protocol

import attrs

LINE_LIMIT = 1 << 20
"""A header line longer than this is not a header (the stream reader's limit too)."""
MAX_BODY = 64 << 20
"""A larger message is skipped unread."""
_CHUNK = 1 << 20
_CONTENT_LENGTH = re.compile(rb"^content-length:\s*(\d+)\s*$", re.IGNORECASE)


class Stream(Protocol):
    async def readline(self) -> bytes: ...

    async def readexactly(self, n: int) -> bytes: ...


@attrs.frozen
class Rejected:
    """A message that could not be read: answered with this error and id null."""

    code: int
    message: str


PARSE_ERROR = -32700
INVALID_REQUEST = -32600


async def messages(stream: Stream) -> AsyncIterator[dict[str, Any] | Rejected]:
    """Each message as parsed JSON (any JSON value that is an object) or why it is not one,
    until the stream ends."""
    while True:
        length, problem = await _headers(stream)
        if length is None:
            return
        if length > MAX_BODY:
            if not await _skip(stream, length):
                return
            yield Rejected(INVALID_REQUEST, f"a message of {length:,} bytes is over the limit")
            continue
        try:
            body = await stream.readexactly(length)
        except (EOFError, ConnectionError, ValueError):
            return
        if problem is not None:
            yield Rejected(INVALID_REQUEST, problem)
            continue
        try:
            data = json.loads(body)
        except RecursionError:
            yield Rejected(PARSE_ERROR, "Parse error: the JSON is nested too deeply")
            continue
        except ValueError as exc:
            yield Rejected(PARSE_ERROR, f"Parse error: not JSON ({_short(str(exc))})")
            continue
        if not isinstance(data, dict):
            yield Rejected(INVALID_REQUEST, "Invalid request: a message is a JSON object")
            continue
        yield data


async def _headers(stream: Stream) -> tuple[int | None, str | None]:
    """The next message's Content-Length (None at the end of the stream) and, when one of its
    header lines was over the limit, why the message is refused. Lines before a
    Content-Length header that are not headers are skipped (garbage between messages)."""
    length: int | None = None
    problem: str | None = None
    while True:
        try:
            line = await stream.readline()
        except ValueError:  # over the limit: the reader dropped what it had of the line
            problem = f"a header line is over {LINE_LIMIT:,} bytes"
            continue
        except (ConnectionError, EOFError):
            return None, None
        if not line:
            return None, None
        if line.strip() == b"":
            if length is not None:
                return length, problem
            continue
        match = _CONTENT_LENGTH.match(line.strip())
        if match:
            length = int(match.group(1))


async def _skip(stream: Stream, length: int) -> bool:
    while length > 0:
        step = min(length, _CHUNK)
        try:
            await stream.readexactly(step)
        except (EOFError, ConnectionError, ValueError):
            return False
        length -= step
    return True


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body
