"""What of a step's output goes to the client: a program that prints without end must not
flood the editor nor the server's memory.

A line longer than `line_chars` is cut where it passes the limit (" … [line cut") and says
how much was cut when it ends (": N characters]"). Between two
sends at most `window_chars` are kept; the rest is counted, not kept, and the next send says
"… N characters skipped". Memory per step is bounded by the window whatever the program
prints. (The history keeps its own bounded tail: execution/output.py.)"""

from __future__ import annotations

LINE_CHARS = 8 * 1024
WINDOW_CHARS = 256 * 1024


class ClientOutput:
    def __init__(self, line_chars: int = LINE_CHARS, window_chars: int = WINDOW_CHARS) -> None:
        self._line_chars = line_chars
        self._window_chars = window_chars
        self._parts: list[tuple[str, str]] = []
        self._size = 0
        self._skipped = 0
        self._line = 0
        """Characters of the current line kept so far."""
        self._cut = 0
        """Characters of the current line cut so far."""

    def feed(self, stream: str, text: str) -> None:
        text = self._cut_lines(text)
        room = self._window_chars - self._size
        if len(text) > room:
            self._skipped += len(text) - max(room, 0)
            text = text[: max(room, 0)]
        if text:
            self._parts.append((stream, text))
            self._size += len(text)

    def take(self) -> list[tuple[str, str]]:
        """What to send now, pieces of one stream merged, in order; the window starts again."""
        merged: list[tuple[str, list[str]]] = []
        for stream, text in self._parts:
            if merged and merged[-1][0] == stream:
                merged[-1][1].append(text)
            else:
                merged.append((stream, [text]))
        if self._skipped:
            note = f"\n… {self._skipped:,} characters skipped\n"
            if merged:
                merged[-1][1].append(note)
            else:
                merged.append(("stdout", [note]))
        self._parts, self._size, self._skipped = [], 0, 0
        return [(stream, "".join(texts)) for stream, texts in merged]

    def _cut_lines(self, text: str) -> str:
        if "\n" not in text and self._line + len(text) <= self._line_chars:
            self._line += len(text)
            return text
        out: list[str] = []
        segments = text.split("\n")
        for n, segment in enumerate(segments):
            room = self._line_chars - self._line
            if len(segment) > room:
                out.append(segment[:room])
                self._line += room
                if not self._cut:
                    out.append(" … [line cut")  # said at once: the line may never end
                self._cut += len(segment) - room
            else:
                out.append(segment)
                self._line += len(segment)
            if n < len(segments) - 1:  # the line ends here
                if self._cut:
                    out.append(f": {self._cut:,} characters]")
                out.append("\n")
                self._line = self._cut = 0
        return "".join(out)
