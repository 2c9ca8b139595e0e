"""PROTOCOL.md's intent grammar: POSIX words; unquoted `then` and `and` separate intents,
`and` binding tighter than `then`.

Words keep their offsets in the original text so that a `$ …` segment hands the shell exactly
what the person typed (quotes, `&&`, `|` and all), not a re-joined approximation.
"""

from __future__ import annotations

import attrs


class GrammarError(ValueError):
    """The text cannot be split into words (an unclosed quote, an empty intent)."""


@attrs.frozen
class Word:
    text: str
    """The word after quote removal."""
    start: int
    end: int
    quoted: bool
    """True if any part of the word was quoted or escaped."""


@attrs.frozen
class Segment:
    """One intent of a composed text: its words and its raw source text."""

    words: list[Word]
    raw: str

    @property
    def is_shell(self) -> bool:
        return bool(self.words) and self.words[0].text == "$" and not self.words[0].quoted

    @property
    def shell_command(self) -> str:
        """For `$ cmd …`: the raw text after the `$` word."""
        return self.raw[self.words[0].end - self.words[0].start :].strip()


@attrs.frozen
class Composition:
    """`stages` run one after another (`then`); the segments of a stage are independent (`and`)."""

    stages: list[list[Segment]]


def split_words(text: str) -> list[Word]:
    """POSIX-shell word splitting that remembers where each word came from."""
    words: list[Word] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start, buf, quoted = i, [], False
        while i < n and not text[i].isspace():
            ch = text[i]
            if ch == "'":
                close = text.find("'", i + 1)
                if close < 0:
                    raise GrammarError(f"unclosed single quote at column {i + 1}")
                buf.append(text[i + 1 : close])
                i, quoted = close + 1, True
            elif ch == '"':
                i, quoted = _double_quoted(text, i, buf), True
            elif ch == "\\":
                if i + 1 >= n:
                    raise GrammarError("a backslash at the end escapes nothing")
                buf.append(text[i + 1])
                i, quoted = i + 2, True
            else:
                buf.append(ch)
                i += 1
        words.append(Word("".join(buf), start, min(i, n), quoted))
    return words


def _double_quoted(text: str, i: int, buf: list[str]) -> int:
    j = i + 1
    while j < len(text):
        ch = text[j]
        if ch == '"':
            return j + 1
        if ch == "\\" and j + 1 < len(text) and text[j + 1] in '"\\$`\n':
            buf.append(text[j + 1])
            j += 2
            continue
        buf.append(ch)
        j += 1
    raise GrammarError(f"unclosed double quote at column {i + 1}")


def _is_keyword(word: Word, keyword: str) -> bool:
    return not word.quoted and word.text == keyword


def parse(text: str) -> Composition:
    """Split intent text into stages of independent segments."""
    words = split_words(text)
    if not words:
        raise GrammarError("the intent is empty")
    stages: list[list[Segment]] = []
    for stage_words in _split(words, "then"):
        stages.append([_segment(text, seg) for seg in _split(stage_words, "and")])
    return Composition(stages)


def _split(words: list[Word], keyword: str) -> list[list[Word]]:
    parts: list[list[Word]] = [[]]
    for word in words:
        if _is_keyword(word, keyword):
            parts.append([])
        else:
            parts[-1].append(word)
    if any(not part for part in parts):
        raise GrammarError(f"'{keyword}' needs an intent on both sides")
    return parts


def _segment(text: str, words: list[Word]) -> Segment:
    raw = text[words[0].start : words[-1].end]
    if words[0].text == "$" and not words[0].quoted and len(words) == 1:
        raise GrammarError("'$' needs a shell command after it")
    return Segment(words, raw)
