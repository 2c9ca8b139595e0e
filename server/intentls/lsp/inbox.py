"""Every message read gets handled or, if it is a request, an answer — whatever it holds.

pygls drops what it cannot turn into its message types (params that do not parse for a known
method, any message after `shutdown`) without answering, and sends tracebacks in error data.
Here a request that cannot be handled is answered: -32002 before `initialize`, -32600 after
`shutdown` or when malformed, -32602 when its params do not parse, -32603 when handling it
failed; a notification that cannot be handled is logged in one line and dropped. Error
messages are cut: they never repeat a multi-megabyte input."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from lsprotocol.types import ResponseError, ResponseErrorMessage

from intentls.lsp.framing import INVALID_REQUEST, Rejected, Stream, messages

log = logging.getLogger(__name__)

NOT_INITIALIZED = -32002
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
MESSAGE_LIMIT = 2000
"""Characters of an error message; the rest is cut (an input is never repeated whole)."""
EXIT, INITIALIZE = "exit", "initialize"


class Receiver(Protocol):
    """The parts of pygls' protocol that handling a message needs."""

    initialize_seen: bool
    _shutdown: bool

    def structure_message(self, data: dict[str, Any]) -> Any: ...

    def handle_message(self, message: Any) -> None: ...

    def _send_data(self, data: Any) -> None: ...


def cut(message: str) -> str:
    if len(message) <= MESSAGE_LIMIT:
        return message
    return f"{message[:MESSAGE_LIMIT]}… ({len(message) - MESSAGE_LIMIT:,} characters cut)"


def answer_error(protocol: Receiver, msg_id: Any, code: int, message: str) -> None:
    error = ResponseError(code=code, message=cut(message))
    protocol._send_data(ResponseErrorMessage(id=msg_id, error=error))


async def serve(stream: Stream, protocol: Receiver) -> None:
    """Read and handle messages until the stream ends."""
    async for item in messages(stream):
        if isinstance(item, Rejected):
            log.info("rejected a message: %s", item.message)
            answer_error(protocol, None, item.code, item.message)
        else:
            receive(protocol, item)


def receive(protocol: Receiver, data: dict[str, Any]) -> None:
    method = data.get("method")
    msg_id = data.get("id")
    if method is None and ("result" in data or "error" in data):
        _handle(protocol, data, None, None)  # an answer to one of our requests
        return
    is_request = "id" in data
    valid_id = isinstance(msg_id, str | int) and not isinstance(msg_id, bool)
    if not isinstance(method, str) or (is_request and not valid_id):
        log.info("rejected a message without a valid method or id")
        if is_request or method is None:
            answer_error(protocol, msg_id if valid_id else None, INVALID_REQUEST, "Invalid request")
        return
    refusal = _refusal(protocol, method)
    if refusal is not None:
        log.info("refused %s: %s", method, refusal[1])
        if is_request:
            answer_error(protocol, msg_id, *refusal)
        return
    if method == INITIALIZE:
        protocol.initialize_seen = True
    _handle(protocol, data, method, msg_id if is_request else None)


def _refusal(protocol: Receiver, method: str) -> tuple[int, str] | None:
    if method == EXIT:
        return None
    if protocol._shutdown:
        return INVALID_REQUEST, f"{method}: the server is shutting down"
    if method == INITIALIZE and protocol.initialize_seen:
        return INVALID_REQUEST, "initialize was already received"
    if method != INITIALIZE and not protocol.initialize_seen:
        return NOT_INITIALIZED, f"{method}: the server is not initialized yet"
    return None


def _handle(protocol: Receiver, data: dict[str, Any], method: str | None, msg_id: Any) -> None:
    try:
        message = protocol.structure_message(data)
    except Exception as exc:
        log.info("rejected %s: its params do not parse (%s)", method, type(exc).__name__)
        if msg_id is not None:
            answer_error(protocol, msg_id, INVALID_PARAMS, f"{method}: invalid params")
        return
    try:
        protocol.handle_message(message)
    except Exception:
        log.exception("handling %s failed", method)
        if msg_id is not None:
            answer_error(protocol, msg_id, INTERNAL_ERROR, f"{method} failed")
