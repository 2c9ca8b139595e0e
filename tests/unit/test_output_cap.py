"""Output to the client is capped: long lines cut and marked, a bounded window between sends
with the rest counted as skipped, memory bounded whatever a program prints."""

from __future__ import annotations

from intentls.execution.output_cap import ClientOutput


def test_a_long_line_is_cut_and_says_how_much() -> None:
    out = ClientOutput(line_chars=10, window_chars=1000)
    out.feed("stdout", "0123456789ABCDEF")
    out.feed("stdout", "GHIJ\nshort\n")
    assert out.take() == [("stdout", "0123456789 … [line cut: 10 characters]\nshort\n")]


def test_past_the_window_text_is_counted_not_kept() -> None:
    out = ClientOutput(line_chars=100, window_chars=20)
    for _ in range(1000):
        out.feed("stdout", "x" * 9 + "\n")
    sent = out.take()
    assert sent == [("stdout", "x" * 9 + "\n" + "x" * 9 + "\n" + "\n… 9,980 characters skipped\n")]
    out.feed("stdout", "next\n")
    assert out.take() == [("stdout", "next\n")]


def test_memory_stays_bounded_whatever_is_printed() -> None:
    out = ClientOutput(line_chars=1000, window_chars=5000)
    chunk = "y" * 65536
    for _ in range(3000):  # 196 MB of one line
        out.feed("stdout", chunk)
    assert out._size <= 5000 and len(out._parts) < 10
    (sent,) = out.take()
    assert len(sent[1]) < 6000 and sent[1].endswith(" … [line cut")


def test_streams_keep_their_order() -> None:
    out = ClientOutput()
    out.feed("stdout", "a\n")
    out.feed("stderr", "b\n")
    out.feed("stdout", "c\n")
    assert out.take() == [("stdout", "a\n"), ("stderr", "b\n"), ("stdout", "c\n")]
